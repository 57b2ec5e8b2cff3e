import { ConnectorError, PermanentConnectorError, TransientConnectorError } from './errors';

/**
 * Reading what a driver threw, shared by the connectors' error classification (SQL, LDAP, AD).
 * Duck-typed: errors from Node's sockets can come from another realm (Jest's VM context), where
 * `instanceof Error` fails.
 */
export interface ErrorFields {
  message: string;
  code?: unknown;
  /** PostgreSQL's detail line (the offending key or value). */
  detail?: unknown;
  errors?: unknown;
}

/** Node's socket errors: the server is not there (yet), or the network between is failing. */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

export function errorFields(error: unknown): ErrorFields | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  return typeof (error as { message?: unknown }).message === 'string' ? (error as ErrorFields) : undefined;
}

/** The error's own words; Node reports a refused dual-stack connect as an AggregateError with an empty message. */
export function messageOf(error: ErrorFields): string {
  if (error.message) return error.message;
  if (Array.isArray(error.errors)) {
    const inner = error.errors.map((e) => errorFields(e)?.message ?? String(e)).filter(Boolean);
    if (inner.length > 0) return [...new Set(inner)].join('; ');
  }
  return typeof error.code === 'string' ? error.code : 'unknown error';
}

/** The LDAP result code of a failed operation, when the server answered with one. */
export function ldapResultCode(error: unknown): number | undefined {
  const code = errorFields(error)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** How one kind of target words and sorts what its driver threw. */
export interface DriverErrorRules {
  isTransient(error: unknown): boolean;
  /** The message from the driver's fields (the server's words, with what the target adds). */
  describe(fields: ErrorFields): string;
  /** The target's error code, when the driver gives one; by default a numeric or text `code` as text. */
  code?(fields: ErrorFields): string | undefined;
}

/**
 * The ConnectorError for a failure of the target or of reaching it, secrets scrubbed; a
 * ConnectorError passes unchanged. `context` says what was being done, when the message alone
 * would not (`add uid=jdoe,ou=people,...`).
 */
export function toConnectorError(
  error: unknown,
  scrub: (message: string) => string,
  rules: DriverErrorRules,
  context?: string,
): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const fields = errorFields(error);
  const prefix = context ? `${context}: ` : '';
  if (!fields) return new PermanentConnectorError(scrub(`${prefix}${String(error)}`));
  const message = scrub(`${prefix}${rules.describe(fields)}`);
  const code = rules.code ? rules.code(fields) : numberOrTextCode(fields);
  const options = { ...(code !== undefined ? { code } : {}), cause: error };
  return rules.isTransient(error)
    ? new TransientConnectorError(message, options)
    : new PermanentConnectorError(message, options);
}

/** A numeric (LDAP result) or text (Node) code as text. */
function numberOrTextCode(fields: ErrorFields): string | undefined {
  return typeof fields.code === 'number' || typeof fields.code === 'string' ? String(fields.code) : undefined;
}
