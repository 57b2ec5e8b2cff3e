import { readFileSync } from 'node:fs';
import {
  didYouMean,
  MissingSecretError,
  resolveConnectionSecret,
  type Environment,
  type RoleModelConnection,
} from '@prov/role-model';

/**
 * The rules the connectors' settings readers share, so that a DN, a number, an unknown key or a
 * TLS block is held to one rule and described in one way whichever connector reads it. Every
 * rule adds `settings.<path> <rule>` to the problems and returns a usable fallback, so that a
 * reader lists every problem of a connection at once.
 */

export type Settings = Record<string, unknown>;

/** An attribute type or object class name (RFC 4512 descr). */
export const LDAP_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]*$/;

/**
 * One DN rule for LDAP and AD: RDNs of type=value separated by commas that are not escaped, with
 * spaces allowed around them. Values are checked loosely; the directory has the last word.
 */
const RDN = String.raw`\s*[A-Za-z][A-Za-z0-9-]*\s*=\s*(?:\\.|[^,\\])+`;
const DN_PATTERN = new RegExp(`^${RDN}(?:,${RDN})*\\s*$`);

export function isDn(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && DN_PATTERN.test(value);
}

export function isMapping(value: unknown): value is Settings {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const absent = (value: unknown) => value === undefined || value === null;

/** `settings.<prefix><key> is not <what> (known: ...)`, with the closest known key when it looks like a typo. */
export function unknownKeys(
  value: Settings,
  known: readonly string[],
  prefix: string,
  what: string,
  problems: string[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      problems.push(
        `settings.${prefix}${key} is not ${what} (known: ${known.join(', ')})${didYouMean(key, known)}`,
      );
  }
}

/** A whole number in range, or the fallback when absent. */
export function wholeNumber(
  settings: Settings,
  key: string,
  fallback: number,
  problems: string[],
  { min = 1, max }: { min?: number; max?: number } = {},
): number {
  const value = settings[key];
  if (absent(value)) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    (max !== undefined && value > max)
  ) {
    const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    problems.push(`settings.${key} must be a whole number ${range}`);
    return fallback;
  }
  return value;
}

/** A non-empty text (trimmed), optionally held to a pattern; `fallback` makes it optional. */
export function text(
  settings: Settings,
  key: string,
  problems: string[],
  rule: string,
  { pattern, fallback }: { pattern?: RegExp; fallback?: string } = {},
): string {
  const value = settings[key];
  if (fallback !== undefined && absent(value)) return fallback;
  if (typeof value !== 'string' || value.trim() === '' || (pattern && !pattern.test(value))) {
    problems.push(`settings.${key} ${rule}`);
    return '';
  }
  return value.trim();
}

/** A secret named by a `...Env` setting, read from the environment; never put into a message. */
export function secret(
  connection: RoleModelConnection,
  key: string,
  env: Environment,
  problems: string[],
): string {
  try {
    return resolveConnectionSecret(connection, key, env);
  } catch (error) {
    if (!(error instanceof MissingSecretError)) throw error;
    problems.push(error.message);
    return '';
  }
}

export interface TlsSettings {
  rejectUnauthorized: boolean;
  ca?: string;
}

/**
 * `tls: { rejectUnauthorized, caFileEnv }` of the directory connectors. The CA variable holds a
 * PEM text or a file path; a file is read now, so that a wrong path fails at start.
 */
export function readTls(
  value: unknown,
  env: Environment,
  problems: string[],
  options: { what: string; unreadable: (name: string, path: string, error: Error) => string },
): TlsSettings {
  if (absent(value)) return { rejectUnauthorized: true };
  if (!isMapping(value)) {
    problems.push('settings.tls must be an object with rejectUnauthorized and/or caFileEnv');
    return { rejectUnauthorized: true };
  }
  unknownKeys(value, ['rejectUnauthorized', 'caFileEnv'], 'tls.', options.what, problems);
  const reject = value.rejectUnauthorized;
  if (reject !== undefined && typeof reject !== 'boolean')
    problems.push('settings.tls.rejectUnauthorized must be true or false');
  const tls: TlsSettings = { rejectUnauthorized: reject !== false };
  const name = value.caFileEnv;
  if (absent(name)) return tls;
  if (typeof name !== 'string' || name === '') {
    problems.push('settings.tls.caFileEnv must be the name of an environment variable');
    return tls;
  }
  const path = env[name];
  if (path === undefined || path === '') {
    problems.push(`environment variable ${name} (settings.tls.caFileEnv) is not set or empty`);
    return tls;
  }
  if (path.includes('-----BEGIN')) return { ...tls, ca: path };
  try {
    return { ...tls, ca: readFileSync(path, 'utf8') };
  } catch (error) {
    problems.push(options.unreadable(name, path, error as Error));
    return tls;
  }
}
