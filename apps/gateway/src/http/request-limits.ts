import type { INestApplication } from '@nestjs/common';
import type { HardeningSettings } from '@prov/config';
import { inspectJson } from '@prov/messaging';
import express, { type NextFunction, type Request, type Response } from 'express';
import { errorBody } from './error-body';

/** What body-parser's errors mean for the caller (its `type`), and the status we answer. */
const BODY_ERRORS: Record<string, { status: number; code: string; message: (limit: number) => string }> = {
  'entity.too.large': {
    status: 413,
    code: 'PayloadTooLarge',
    message: (limit) => `the body must be at most ${limit} bytes`,
  },
  'entity.parse.failed': { status: 400, code: 'InvalidJson', message: () => 'the body is not valid JSON' },
  'charset.unsupported': {
    status: 415,
    code: 'UnsupportedCharset',
    message: () => 'the body must be UTF-8 (charset=utf-8)',
  },
  'encoding.unsupported': {
    status: 415,
    code: 'UnsupportedEncoding',
    message: () => 'the body must be sent without Content-Encoding, or gzip/deflate',
  },
  'request.size.invalid': {
    status: 400,
    code: 'InvalidBody',
    message: () => 'the body is shorter than its Content-Length',
  },
  'request.aborted': { status: 400, code: 'InvalidBody', message: () => 'the request was aborted' },
  'parameters.too.many': { status: 413, code: 'PayloadTooLarge', message: () => 'too many form parameters' },
};

/** POST /api/assignments/batch and /api/identities/batch: up to 1,000 items of about 1 KB at most. */
const BATCH_ROUTES = ['/api/assignments/batch', '/api/identities/batch'];
export const BATCH_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

function decodedPath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/**
 * Everything a request must pass before a route sees it: a JSON (or form) body of at most
 * HTTP_BODY_LIMIT_BYTES in UTF-8; no NUL character in the path, the query or the body (PostgreSQL
 * refuses it, which would otherwise be a 500); no nesting deeper than MAX_JSON_DEPTH (validators
 * recurse). Each refusal is a 4xx in the API's error shape naming the field and the rule.
 * Register before the routes: the app must be created with `bodyParser: false`.
 */
export function installRequestLimits(app: INestApplication, settings: HardeningSettings): void {
  const limit = settings.httpBodyLimitBytes;
  const json = ['application/json', 'application/*+json'];
  // Batch calls carry up to 1,000 single-call bodies; parsed first, the general parser then skips them.
  app.use(BATCH_ROUTES, express.json({ limit: Math.max(limit, BATCH_BODY_LIMIT_BYTES), type: json }));
  app.use(express.json({ limit, type: json }));
  app.use(express.urlencoded({ limit, extended: false, parameterLimit: 200 }));
  // A role model is YAML; only the preview takes a text body, every other route stays JSON.
  app.use(
    '/api/role-model/preview',
    express.text({ limit, type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'] }),
  );
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const type = (error as { type?: unknown })?.type;
    const known = typeof type === 'string' ? BODY_ERRORS[type] : undefined;
    if (!known) return next(error);
    // body-parser names the limit it applied (the batch routes have their own).
    const applied = (error as { limit?: unknown }).limit;
    const limitOfRoute = typeof applied === 'number' ? applied : limit;
    res
      .status(known.status)
      .json(
        errorBody(known.status, known.code, known.message(limitOfRoute), [
          { field: 'body', rule: type, message: known.message(limitOfRoute) },
        ]),
      );
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const path = decodedPath(req.path);
    const violation =
      path === undefined
        ? { field: 'path', rule: 'percentEncoding', message: 'path has an invalid percent-encoding' }
        : path.includes('\u0000')
          ? { field: 'path', rule: 'noNulCharacter', message: 'path must not contain a NUL character (%00)' }
          : (inspectJson(req.query, 'query', settings.maxJsonDepth) ??
            inspectJson(req.body, 'body', settings.maxJsonDepth));
    if (!violation) return next();
    const status = 400;
    res
      .status(status)
      .json(errorBody(status, 'ValidationFailed', `invalid request: ${violation.message}`, [violation]));
  });
}
