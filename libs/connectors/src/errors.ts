/**
 * What a connector reports when an order cannot be applied. The message is the target's own
 * (an administrator of that system recognises it) with secrets removed, because it ends up in
 * events, in the console and in logs. The kind tells the engine whether an automatic retry makes
 * sense.
 */

export type ConnectorErrorKind = 'permanent' | 'transient';

const MASK = '***';

/**
 * Removes secrets from a message: the given values (a password, a whole connection string) and,
 * whatever the caller knows, credentials in URLs (`scheme://user:password@host`) and in libpq
 * key/value strings (`password=...`).
 */
export function scrubSecrets(message: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = message;
  // Longest first, so that a connection string is masked whole before the password inside it.
  const values = secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= 3)
    .sort((a, b) => b.length - a.length);
  for (const secret of values) out = out.split(secret).join(MASK);
  out = out.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${MASK}@`);
  out = out.replace(/\b(password|passwd|pwd)\s*=\s*('[^']*'|"[^"]*"|\S+)/gi, `$1=${MASK}`);
  return out;
}

export class ConnectorError extends Error {
  override readonly name: string = 'ConnectorError';
  /** The target's error code when it has one (SQLSTATE, LDAP result code, HTTP status...). */
  readonly code?: string;

  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    options: { code?: string; cause?: unknown } = {},
  ) {
    // Scrubbing here too is a safety net for connectors that forget: URL credentials never pass.
    super(scrubSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    if (options.code !== undefined) this.code = options.code;
  }
}

/** Trying again later may succeed: the target is down, slow, or a lock conflict occurred. */
export class TransientConnectorError extends ConnectorError {
  override readonly name: string = 'TransientConnectorError';

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super('transient', message, options);
  }
}

/** Retrying will not help until someone changes the data, the target or the configuration. */
export class PermanentConnectorError extends ConnectorError {
  override readonly name: string = 'PermanentConnectorError';

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super('permanent', message, options);
  }
}

/** The connection's settings cannot work (missing setting, bad value, unset environment variable). */
export class ConnectorConfigurationError extends PermanentConnectorError {
  override readonly name: string = 'ConnectorConfigurationError';
}

export function isConnectorError(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError;
}
