import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { CommandError } from '@prov/messaging';
import { isDatabaseUnavailable } from '@prov/platform';
import { SCIM_CONTENT_TYPE, SCIMMY } from './scim-protocol';
import { ScimFilterError } from './scim-filter';

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

interface ScimProblem {
  status: number;
  scimType?: string;
  detail: string;
}

/** The body of a SCIM error (RFC 7644 §3.12); status is a string there. */
export function scimErrorBody({ status, scimType, detail }: ScimProblem) {
  return { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/** A domain refusal from the services, in SCIM's terms: a login held elsewhere is `uniqueness`. */
export function fromCommandError(error: CommandError): ScimProblem {
  if (error.status === 409 && /LOGIN_TAKEN|ALREADY/i.test(error.code))
    return { status: 409, scimType: 'uniqueness', detail: error.message };
  if (error.status === 400) return { status: 400, scimType: 'invalidValue', detail: error.message };
  return { status: error.status, detail: error.message };
}

/**
 * Every failure under /scim/v2 in the SCIM error format with `application/scim+json`, whatever
 * raised it: SCIMMY (filter, PATCH and schema errors carry their scimType), the services, the
 * token guard, the rate limits. Anything unexpected is a 500 whose cause stays in the log.
 */
@Catch()
export class ScimErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Scim');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const problem = this.describe(exception);
    if (response.headersSent) return void response.end();
    if (problem.status === 503 && !response.getHeader('Retry-After')) response.setHeader('Retry-After', '5');
    response.status(problem.status).setHeader('Content-Type', SCIM_CONTENT_TYPE);
    response.send(JSON.stringify(scimErrorBody(problem)));
  }

  private describe(exception: unknown): ScimProblem {
    if (exception instanceof SCIMMY.Types.Error) {
      const e = exception as unknown as { status: number; scimType?: string; message: string };
      return { status: Number(e.status), scimType: e.scimType ?? undefined, detail: e.message };
    }
    if (exception instanceof ScimFilterError)
      return { status: 400, scimType: 'invalidFilter', detail: exception.message };
    if (exception instanceof CommandError) return fromCommandError(exception);
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const detail =
        typeof body === 'string'
          ? body
          : String((body as { message?: unknown }).message ?? exception.message);
      return { status: exception.getStatus(), detail };
    }
    if (isDatabaseUnavailable(exception))
      return { status: 503, detail: 'the database is not reachable right now; try again shortly' };
    this.logger.error({
      msg: 'unexpected SCIM error',
      error: String(exception),
      stack: (exception as Error)?.stack,
    });
    return { status: 500, detail: 'internal error; see the gateway log' };
  }
}
