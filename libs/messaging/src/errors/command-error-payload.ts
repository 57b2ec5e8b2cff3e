/**
 * The shape a failed command takes on the wire. Nest's RPC layer sends whatever an exception
 * filter errors with as plain JSON (an `Error` would lose its fields), so this is a plain,
 * serializable object on both ends: the server's `CommandExceptionFilter` produces it and the
 * caller's `CommandClient` turns it back into a thrown `CommandError`.
 *
 * `status` reuses HTTP semantics because the gateway answers HTTP with it unchanged (400 invalid
 * input, 404 unknown id, 409 not allowed in the current state, 503/504 infrastructure).
 */

export const COMMAND_ERROR_STATUSES = [400, 401, 403, 404, 409, 422, 500, 503, 504] as const;

export type CommandErrorStatus = (typeof COMMAND_ERROR_STATUSES)[number];

export interface CommandErrorPayload {
  /** Stable, machine-readable reason (`InvalidTransition`, `ValidationFailed`, ...). */
  code: string;
  /** Human-readable and safe to show to an API caller. */
  message: string;
  status: CommandErrorStatus;
  /** JSON data that helps the caller (offending fields, the current state, an incident id). */
  details?: unknown;
}

/** Codes this library itself produces. */
export const CommandErrorCodes = {
  ValidationFailed: 'ValidationFailed',
  InternalError: 'InternalError',
  CommandTimeout: 'CommandTimeout',
  NoResponders: 'NoResponders',
  NatsUnavailable: 'NatsUnavailable',
  NoHandler: 'NoHandler',
  RemoteError: 'RemoteError',
  ServiceUnavailable: 'ServiceUnavailable',
} as const;

export function isCommandErrorStatus(value: unknown): value is CommandErrorStatus {
  return typeof value === 'number' && (COMMAND_ERROR_STATUSES as readonly number[]).includes(value);
}

/** True for an object that already is a complete command error payload (e.g. from the wire). */
export function isCommandErrorPayload(value: unknown): value is CommandErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.code === 'string' &&
    candidate.code.length > 0 &&
    typeof candidate.message === 'string' &&
    isCommandErrorStatus(candidate.status)
  );
}

/** Builds a payload, leaving `details` out when there are none so the JSON stays small. */
export function commandErrorPayload(
  code: string,
  status: CommandErrorStatus,
  message: string,
  details?: unknown,
): CommandErrorPayload {
  return details === undefined ? { code, status, message } : { code, status, message, details };
}

const MAX_DEPTH = 8;

/**
 * Copies `value` into something `JSON.stringify` accepts and that reads the same on the other
 * side. Domain errors carry bigint revisions (`WrongExpectedVersionError.actual`), which would
 * make the NATS JSON codec throw and turn a clean 409 into a lost reply; dates become ISO
 * strings; functions, symbols and cycles are dropped rather than failing the whole reply.
 */
export function toJsonSafe(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
  if (depth >= MAX_DEPTH || seen.has(object)) return undefined;
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      return object.map((item) => {
        const safe = toJsonSafe(item, depth + 1, seen);
        return safe === undefined ? null : safe;
      });
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object)) {
      const safe = toJsonSafe(item, depth + 1, seen);
      if (safe !== undefined) result[key] = safe;
    }
    return result;
  } finally {
    seen.delete(object);
  }
}
