import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants';
import { EmptyResponseException } from '@nestjs/microservices/errors/empty-response.exception';
import { TimeoutError } from 'rxjs';
import { CommandErrorCodes, isCommandErrorPayload } from '../errors/command-error-payload';
import { CommandError, isCommandError } from '../errors/command-error';

/**
 * Everything that can come out of `ClientProxy.send()` for NATS, turned into a `CommandError`.
 * The Nest client errors with very different things depending on where a call failed:
 *
 * | what arrives                                          | means                                | becomes |
 * |-------------------------------------------------------|--------------------------------------|---------|
 * | a `CommandErrorPayload` object                        | the handler failed (our filter)      | as sent |
 * | `{status: 'error', message}`                          | the handler failed, service lacks our filter | 500 RemoteError |
 * | `EmptyResponseException`                              | NATS "no responders": nobody subscribed | 503 NoResponders |
 * | the string `NO_MESSAGE_HANDLER`                       | subscribed, but no handler for it    | 503 NoHandler |
 * | a string "Connection lost", a `NatsError`, `ECONN...` | the client is not connected          | 503 NatsUnavailable |
 * | rxjs `TimeoutError`                                   | no reply in time                     | 504 CommandTimeout |
 */
export function toCommandError(error: unknown, subject: string, timeoutMs?: number): CommandError {
  if (isCommandError(error)) return error;
  if (isCommandErrorPayload(error)) return new CommandError(error, { subject });

  if (error instanceof TimeoutError) return commandTimeout(subject, timeoutMs, error);

  if (
    error instanceof EmptyResponseException ||
    (error instanceof Error && error.message.startsWith('Empty response.'))
  ) {
    return CommandError.of(CommandErrorCodes.NoResponders, 503, `no service is listening for ${subject}`, {
      subject,
      cause: error,
    });
  }

  if (error === NO_MESSAGE_HANDLER) {
    return CommandError.of(
      CommandErrorCodes.NoHandler,
      503,
      `the service listening on ${subject} has no handler for it`,
      {
        subject,
      },
    );
  }

  if (typeof error === 'string') {
    // Nest's NATS client rejects with a bare string while it is disconnected.
    return CommandError.of(
      CommandErrorCodes.NatsUnavailable,
      503,
      `NATS unavailable: ${error.replace(/^Error: /, '')}`,
      {
        subject,
      },
    );
  }

  if (isConnectionError(error)) {
    return CommandError.of(
      CommandErrorCodes.NatsUnavailable,
      503,
      `NATS unavailable: ${(error as Error).message}`,
      {
        subject,
        cause: error,
      },
    );
  }

  if (isNestDefaultError(error)) {
    return CommandError.of(CommandErrorCodes.RemoteError, 500, error.message, { subject });
  }

  // Something failed locally (e.g. a payload that JSON cannot encode): keep it as the cause.
  return CommandError.of(CommandErrorCodes.InternalError, 500, `command ${subject} failed in the client`, {
    subject,
    cause: error,
  });
}

export function commandTimeout(
  subject: string,
  timeoutMs: number | undefined,
  cause?: unknown,
): CommandError {
  const within = timeoutMs === undefined ? '' : ` within ${timeoutMs} ms`;
  return CommandError.of(CommandErrorCodes.CommandTimeout, 504, `no reply to ${subject}${within}`, {
    subject,
    cause,
  });
}

/** A `NatsError` (connection refused/closed, ...) or a socket error from the OS. */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'NatsError') return true;
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|EPIPE)$/.test(code)
  );
}

/** What Nest's own `BaseRpcExceptionFilter` sends: `{status: 'error', message}`. */
function isNestDefaultError(error: unknown): error is { status: 'error'; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { status?: unknown }).status === 'error' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
