import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { CommandError } from '@prov/messaging';
import { isDatabaseUnavailable, isInvalidDatabaseInput } from '@prov/platform';
import { errorBody } from './error-body';

/** Seconds a client should wait before trying again after a 503. */
export const RETRY_AFTER_SECONDS = 5;

type Described = { status: number; code: string; message: string; details?: unknown };

/**
 * One error shape for every answer that is not a success: `{ statusCode, error, code, message,
 * details? }`. Domain errors from the services keep their status (409 with the state, 404, 400
 * naming the fields); a database that cannot be reached is a 503 with Retry-After; anything
 * unexpected is a 500 whose cause stays in the log.
 */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, code, message, details } = this.describe(exception);
    if (response.headersSent) return void response.end();
    if (status === 503 && !response.getHeader('Retry-After'))
      response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(status).json(errorBody(status, code, message, details));
  }

  private describe(exception: unknown): Described {
    if (exception instanceof CommandError) {
      return {
        status: exception.status,
        code: exception.code,
        message: exception.message,
        details: exception.details,
      };
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'code' in body) {
        const b = body as { code: string; message: string; details?: unknown };
        return { status: exception.getStatus(), code: b.code, message: b.message, details: b.details };
      }
      const message =
        typeof body === 'string'
          ? body
          : String((body as { message?: unknown }).message ?? exception.message);
      return { status: exception.getStatus(), code: exception.name.replace(/Exception$/, ''), message };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({ msg: 'database unavailable', error: String(exception) });
      return {
        status: 503,
        code: 'DatabaseUnavailable',
        message: 'the database is not reachable right now; try again shortly',
      };
    }
    if (isInvalidDatabaseInput(exception)) {
      // A backstop: input checks should have refused the value before it reached the database.
      this.logger.warn({ msg: 'the database refused a value from a request', error: String(exception) });
      return {
        status: 400,
        code: 'InvalidInput',
        message: 'a value in the request is not acceptable (encoding, range or format)',
      };
    }
    const clientError = this.clientError(exception);
    if (clientError) return clientError;
    this.logger.error({
      msg: 'unexpected error',
      error: String(exception),
      stack: (exception as Error)?.stack,
    });
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'InternalError',
      message: 'internal error; see the gateway log',
    };
  }

  /** Errors of the HTTP stack (http-errors: `status` 4xx and `expose`), e.g. a malformed %-encoding in a path. */
  private clientError(exception: unknown): Described | undefined {
    const candidate = exception as {
      status?: unknown;
      statusCode?: unknown;
      expose?: unknown;
      message?: unknown;
    } | null;
    const status = Number(candidate?.status ?? candidate?.statusCode);
    if (!Number.isInteger(status) || status < 400 || status > 499) return undefined;
    const message =
      candidate?.expose && typeof candidate.message === 'string'
        ? candidate.message
        : 'the request is not acceptable';
    return { status, code: 'BadRequest', message };
  }
}
