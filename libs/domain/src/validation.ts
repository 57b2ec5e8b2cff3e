import { ValidationError } from './errors';

/**
 * Checks on values that arrive on commands. Commands are typed, but they are built from HTTP
 * bodies and messages, so the domain still checks what its rules depend on.
 */

/** A non-blank string (ids, names, messages). */
export function requireText(command: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ValidationError(command, field, 'is required');
  return value;
}

/** Absent, or a string. */
export function optionalText(command: string, field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(command, field, 'must be a string');
  return value;
}

/** A valid Date, returned as an ISO-8601 string. */
export function requireDate(command: string, field: string, value: unknown): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(command, field, 'must be a valid date');
  }
  return value.toISOString();
}

export function optionalDate(command: string, field: string, value: unknown): string | undefined {
  return value === undefined ? undefined : requireDate(command, field, value);
}

export function requireOneOf<T extends string>(
  command: string,
  field: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(command, field, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function requireBoolean(command: string, field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(command, field, 'must be true or false');
  return value;
}

/** A plain object (not null, not an array). */
export function requireRecord(command: string, field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(command, field, 'must be an object');
  }
  return value as Record<string, unknown>;
}
