/**
 * Whether an error means "the database cannot be reached right now" (a 503 for the caller, who
 * may try again) rather than a fault in the request or the code: refused or broken connections,
 * a server shutting down or not yet accepting connections, too many connections, the pool's
 * connect timeout, a statement cancelled by its timeout.
 */
export const DATABASE_UNAVAILABLE_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '57014', // query_canceled: statement_timeout
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300', // too_many_connections
] as const;

const MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /Connection terminated/i,
  /Client has encountered a connection error/i,
  /the database system is (starting up|shutting down)/i,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (DATABASE_UNAVAILABLE_CODES as readonly string[]).includes(code))
    return true;
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message))) return true;
  // AggregateError (several addresses refused) and wrapped causes.
  const nested = [(error as { cause?: unknown }).cause, ...((error as { errors?: unknown[] }).errors ?? [])];
  return nested.some((inner) => inner !== error && isDatabaseUnavailable(inner));
}

/**
 * PostgreSQL's "invalid input" class (22xxx: bad encoding, NUL, out-of-range numbers, malformed
 * text for a type): the value came from the caller, so the answer is a 400, not a 500.
 */
export function isInvalidDatabaseInput(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}
