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
