import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { CommandError } from '@prov/messaging';

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * One error shape for every answer that is not a success: `{ statusCode, error, code, message,
 * details? }`. Domain errors from the services keep their status (409 with the state, 404, 400
 * naming the fields); anything unexpected is a 500 whose cause stays in the log.
 */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, code, message, details } = this.describe(exception);
    response.status(status).json({
      statusCode: status,
      error: ERROR_NAMES[status] ?? 'Error',
      code,
      message,
      ...(details !== undefined ? { details } : {}),
    });
  }

  private describe(exception: unknown): { status: number; code: string; message: string; details?: unknown } {
    if (exception instanceof CommandError) {
      return { status: exception.status, code: exception.code, message: exception.message, details: exception.details };
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'code' in body) {
        const b = body as { code: string; message: string; details?: unknown };
        return { status: exception.getStatus(), code: b.code, message: b.message, details: b.details };
      }
      const message = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? exception.message);
      return { status: exception.getStatus(), code: exception.name.replace(/Exception$/, ''), message };
    }
    this.logger.error({ msg: 'unexpected error', error: String(exception), stack: (exception as Error)?.stack });
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, code: 'InternalError', message: 'internal error; see the gateway log' };
  }
}
