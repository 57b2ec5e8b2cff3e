import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, HttpException, Logger, RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';
import {
  CommandErrorCodes,
  CommandErrorPayload,
  CommandErrorStatus,
  commandErrorPayload,
  isCommandErrorPayload,
  isCommandErrorStatus,
  toJsonSafe,
} from './command-error-payload';
import { isCommandError } from './command-error';
import { ErrorStatusMapping, defaultErrorStatusMapping, identifyError } from './error-status-mapping';

export interface CommandExceptionFilterOptions {
  /** The mapping to use; defaults to the shared one `registerErrorStatus()` writes to. */
  mapping?: ErrorStatusMapping;
  /** Extra names/codes for this filter only (applied over a copy of `mapping`). */
  statuses?: Record<string, CommandErrorStatus>;
  logger?: Pick<Logger, 'error' | 'debug'> & Partial<Pick<Logger, 'warn'>>;
  /**
   * Errors that mean a dependency cannot be reached right now (the database down, its pool
   * exhausted): a 503 the caller may retry, with a generic message, instead of a 500.
   */
  unavailable?: (error: unknown) => boolean;
}

/** Properties of an `Error` that are never copied into `details`. */
const NOT_DETAILS = new Set(['name', 'message', 'stack', 'code', 'cause', 'status', 'details']);

/**
 * Turns whatever a command handler throws into a {@link CommandErrorPayload} on the wire.
 *
 * Without it Nest replies `{status: 'error', message: 'Internal server error'}` for every
 * exception that is not an `RpcException`, so a 409 "not allowed in state Pending" would reach
 * the gateway as an opaque 500. With it:
 * - a `CommandError` (e.g. a downstream call that timed out) passes through unchanged;
 * - an `RpcException` with a payload object (our validation pipe) passes through;
 * - a known domain error (see `ErrorStatusMapping`) keeps its code, message and fields;
 * - a Nest `HttpException` below 500 keeps its status and message;
 * - an error the `unavailable` option recognises (the database unreachable or its pool exhausted)
 *   is a 503 `ServiceUnavailable` with a generic message: the caller may try again;
 * - anything else is a 500 with a generic message and an incident id. Its text and stack only
 *   go to the log: driver and library errors can quote connection strings, rows or tokens.
 *
 * Register it with `app.useGlobalFilters(new CommandExceptionFilter())` (the
 * `createCommandMicroservice` helper does).
 */
@Catch()
export class CommandExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly mapping: ErrorStatusMapping;
  private readonly logger: Pick<Logger, 'error' | 'debug'> & Partial<Pick<Logger, 'warn'>>;
  private readonly unavailable: (error: unknown) => boolean;

  constructor(options: CommandExceptionFilterOptions = {}) {
    const base = options.mapping ?? defaultErrorStatusMapping;
    if (options.statuses && Object.keys(options.statuses).length > 0) {
      const own = base.clone();
      for (const [key, status] of Object.entries(options.statuses)) own.register(key, status);
      this.mapping = own;
    } else {
      this.mapping = base;
    }
    this.logger = options.logger ?? new Logger(CommandExceptionFilter.name);
    this.unavailable = options.unavailable ?? (() => false);
  }

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const payload = this.toPayload(exception, subjectOf(host));
    return throwError(() => payload);
  }

  /** The payload for a thrown value; public so that it can be unit tested and reused. */
  toPayload(exception: unknown, subject?: string): CommandErrorPayload {
    if (isCommandError(exception)) return sanitize(exception.toPayload());

    if (exception instanceof RpcException) {
      const error = exception.getError();
      if (isCommandErrorPayload(error)) return sanitize(error);
      if (typeof error === 'string') return commandErrorPayload(CommandErrorCodes.RemoteError, 500, error);
    }

    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return this.fromHttpException(exception);
    }

    // Before the mapping: a driver's error carries a code, and its text must not reach the caller.
    if (this.unavailable(exception)) return this.serviceUnavailable(exception, subject);
    const status = this.mapping.statusFor(exception);
    if (status !== undefined && exception instanceof Error) {
      const payload = commandErrorPayload(
        domainCode(exception),
        status,
        exception.message,
        domainDetails(exception),
      );
      this.logger.debug({ msg: 'command rejected', subject, code: payload.code, status });
      return payload;
    }

    return this.internal(exception, subject);
  }

  private serviceUnavailable(exception: unknown, subject: string | undefined): CommandErrorPayload {
    const identity = identifyError(exception);
    // The driver's text can quote a host or a connection string: the log has it, the caller not.
    const log = this.logger.warn ?? this.logger.error;
    log.call(this.logger, {
      msg: 'command failed: a dependency is unavailable',
      subject,
      errorName: identity?.names[0] ?? (exception instanceof Error ? 'Error' : typeof exception),
      errorCode: identity?.code,
      errorMessage: exception instanceof Error ? exception.message : String(exception),
    });
    return commandErrorPayload(
      CommandErrorCodes.ServiceUnavailable,
      503,
      'a dependency of the service (its database) is unavailable or busy; try again',
    );
  }

  private fromHttpException(exception: HttpException): CommandErrorPayload {
    const status = isCommandErrorStatus(exception.getStatus())
      ? (exception.getStatus() as CommandErrorStatus)
      : 400;
    const response = exception.getResponse();
    const raw =
      typeof response === 'object' && response !== null
        ? (response as { message?: unknown }).message
        : response;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
    const code = exception.name.replace(/Exception$/, '') || 'HttpException';
    return commandErrorPayload(code, status, message, Array.isArray(raw) ? toJsonSafe(raw) : undefined);
  }

  private internal(exception: unknown, subject: string | undefined): CommandErrorPayload {
    const incidentId = randomUUID();
    const identity = identifyError(exception);
    this.logger.error(
      {
        msg: 'command handler failed with an unexpected error',
        incidentId,
        subject,
        errorName: identity?.names[0] ?? (exception instanceof Error ? 'Error' : typeof exception),
        errorCode: identity?.code,
        errorMessage: exception instanceof Error ? exception.message : String(exception),
      },
      exception instanceof Error ? exception.stack : undefined,
    );
    return commandErrorPayload(
      CommandErrorCodes.InternalError,
      500,
      `Internal server error (incident ${incidentId})`,
      {
        incidentId,
      },
    );
  }
}

/** The NATS subject of the command being handled, for the log; undefined outside RPC. */
function subjectOf(host: ArgumentsHost | undefined): string | undefined {
  if (!host || host.getType() !== 'rpc') return undefined;
  const context = host.switchToRpc().getContext() as { getSubject?: () => unknown } | undefined;
  const subject = typeof context?.getSubject === 'function' ? context.getSubject() : undefined;
  return typeof subject === 'string' ? subject : undefined;
}

/** `code` when the error has one, otherwise its name without the `Error` suffix. */
function domainCode(error: Error): string {
  const identity = identifyError(error);
  if (identity?.code) return identity.code;
  const name = identity?.names[0] ?? 'DomainError';
  return name.replace(/Error$/, '') || name;
}

/**
 * What the caller may need besides the message: an explicit `details` property, or else the
 * error's own fields (the current state of a rejected transition, expected and actual
 * revisions), made JSON-safe. Undefined when there is nothing to add.
 */
function domainDetails(error: Error): unknown {
  const own = error as unknown as Record<string, unknown>;
  if (own.details !== undefined) return toJsonSafe(own.details);
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(own)) {
    if (!NOT_DETAILS.has(key)) fields[key] = value;
  }
  const safe = toJsonSafe(fields) as Record<string, unknown>;
  return Object.keys(safe).length > 0 ? safe : undefined;
}

function sanitize(payload: CommandErrorPayload): CommandErrorPayload {
  return commandErrorPayload(
    payload.code,
    payload.status,
    payload.message,
    payload.details === undefined ? undefined : toJsonSafe(payload.details),
  );
}
