import {
  CommandErrorPayload,
  CommandErrorStatus,
  commandErrorPayload,
  isCommandErrorPayload,
} from './command-error-payload';

/**
 * A command that failed, as the caller sees it: a real `Error` (stack, `instanceof`) with the
 * payload's `code`, `status` and `details`. The gateway answers HTTP with `status` and the
 * payload; a service that calls another one may simply let it propagate, because the
 * `CommandExceptionFilter` passes a `CommandError` on unchanged (a 504 from a downstream
 * service stays a 504 instead of becoming a 500).
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly code: string;
  readonly status: CommandErrorStatus;
  readonly details?: unknown;
  /** The command subject that failed, when known; for logs. */
  readonly subject?: string;

  constructor(payload: CommandErrorPayload, options: { subject?: string; cause?: unknown } = {}) {
    super(payload.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = payload.code;
    this.status = payload.status;
    if (payload.details !== undefined) this.details = payload.details;
    if (options.subject !== undefined) this.subject = options.subject;
  }

  static of(
    code: string,
    status: CommandErrorStatus,
    message: string,
    options: { details?: unknown; subject?: string; cause?: unknown } = {},
  ): CommandError {
    return new CommandError(commandErrorPayload(code, status, message, options.details), options);
  }

  /** The serializable form, e.g. to answer HTTP or to pass the error on over NATS. */
  toPayload(): CommandErrorPayload {
    return commandErrorPayload(this.code, this.status, this.message, this.details);
  }

  /** `JSON.stringify(error)` gives the payload rather than `{}`. */
  toJSON(): CommandErrorPayload {
    return this.toPayload();
  }
}

/** True for a `CommandError`, also one from another copy of this library (checks the shape). */
export function isCommandError(error: unknown): error is CommandError {
  return (
    error instanceof CommandError ||
    (error instanceof Error && error.name === 'CommandError' && isCommandErrorPayload(error))
  );
}
