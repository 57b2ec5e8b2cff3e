import { type ExecutionContext, HttpException, type INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ApiTokenGuard } from '../auth/api-token.guard';
import { Roles } from '../auth/roles.decorator';
import { errorBody } from '../http/error-body';

/** Stands for the docs in the guard's eyes: any signed-in role may read them. */
class ApiDocs {
  static read(): void {}
}
Roles('requester', 'reviewer', 'operator', 'auditor')(ApiDocs.read);

/**
 * `/api/docs` (and its JSON) are served by Swagger outside Nest's routing, so the token guard
 * does not see them. Unless API_DOCS_PUBLIC=true, this asks the same guard: the API's shape is
 * only shown to someone who may call it.
 */
export function protectApiDocs(app: INestApplication, isPublic: boolean): void {
  if (isPublic) return;
  const guard = app.get(ApiTokenGuard);
  app.use('/api/docs', async (req: Request, res: Response, next: NextFunction) => {
    const context = {
      getHandler: () => ApiDocs.read,
      getClass: () => ApiDocs,
      getType: () => 'http',
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => res, getNext: () => next }),
    } as unknown as ExecutionContext;
    try {
      if (await guard.canActivate(context)) return next();
      res.status(403).json(errorBody(403, 'Forbidden', 'the API documentation needs a valid token'));
    } catch (error) {
      const status = error instanceof HttpException ? error.getStatus() : 401;
      const message = error instanceof Error ? error.message : 'a bearer token is required';
      res
        .status(status)
        .json(
          errorBody(
            status,
            status === 401 ? 'Unauthorized' : 'Forbidden',
            `${message} (or set API_DOCS_PUBLIC=true)`,
          ),
        );
    }
  });
}
