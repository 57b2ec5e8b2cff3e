import { readFileSync } from 'node:fs';
import {
  MissingSecretError,
  resolveConnectionSecret,
  type Environment,
  type RoleModelConnection,
} from '@prov/role-model';
import { ConnectorConfigurationError } from '../errors';

/**
 * Settings of an `ldap` connection, read from the role model:
 *
 *   url                ldap://host:port or ldaps://host:port
 *   urlEnv             instead of url: name of the environment variable holding the URL (one
 *                      role model for several environments, or a directory started on demand)
 *   bindDn             the service account the connector binds as
 *   bindPasswordEnv    name of the environment variable holding that account's password
 *   accountsDn         container of the accounts: <rdnAttribute>=<accountKey>,<accountsDn>
 *   groupsDn           container of the groups: cn=<group>,<groupsDn> (groupOfNames)
 *   rdnAttribute       optional, default uid: the naming attribute of accounts
 *   objectClasses      optional, default [inetOrgPerson]: the object classes of new accounts
 *   onDelete           optional, delete (default) | disable: what happens to an account whose
 *                      last entitlement is revoked
 *   disabledAttribute  optional, default description } the value added to mark an account
 *   disabledValue      optional, default disabled    } disabled (onDelete: disable)
 *   timeoutMs          optional, default 10000: per connect and per LDAP operation
 *   pageSize           optional, default 500: entries per page of the paged searches
 *   connections        optional, default 4 (at most 16): connections the connector spreads its
 *                      operations over; slapd serves one connection with at most half its threads
 *   allowInsecure      optional, default false: a plain ldap:// URL is refused (the bind password
 *                      would cross the network unencrypted) unless this is true, e.g. for a
 *                      directory on the loopback interface
 *   tls                optional { rejectUnauthorized (default true), caFileEnv }: caFileEnv names
 *                      an environment variable holding the CA certificate(s) to trust, as a
 *                      path to a PEM file or as the PEM text itself
 *
 * DNs and attribute names end up in LDAP requests, so they are held to their syntax here, with
 * a message naming the setting, rather than failing later as an order's error.
 */

export type LdapOnDelete = 'delete' | 'disable';

export interface LdapConnectorSettings {
  url: string;
  bindDn: string;
  bindPassword: string;
  accountsDn: string;
  groupsDn: string;
  rdnAttribute: string;
  objectClasses: string[];
  onDelete: LdapOnDelete;
  disabledAttribute: string;
  disabledValue: string;
  timeoutMs: number;
  pageSize: number;
  connections: number;
  tls: { rejectUnauthorized: boolean; ca?: string };
}

const KNOWN = [
  'url',
  'bindDn',
  'bindPasswordEnv',
  'accountsDn',
  'groupsDn',
  'rdnAttribute',
  'objectClasses',
  'onDelete',
  'disabledAttribute',
  'disabledValue',
  'timeoutMs',
  'pageSize',
  'connections',
  'tls',
  'urlEnv',
  'allowInsecure',
];
const KNOWN_TLS = ['rejectUnauthorized', 'caFileEnv'];
/** An attribute type or object class name (RFC 4512 descr). */
export const LDAP_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]*$/;
/** Loose DN check: RDNs of type=value separated by commas; the server has the last word. */
const DN_PATTERN = /^\s*[A-Za-z][A-Za-z0-9-]*\s*=\s*[^,]+(,\s*[A-Za-z][A-Za-z0-9-]*\s*=\s*[^,]+)*\s*$/;
const MAX_PAGE_SIZE = 10_000;
const MAX_CONNECTIONS = 16;

type Settings = Record<string, unknown>;

function text(settings: Settings, key: string, problems: string[], rule: string, pattern?: RegExp): string {
  const value = settings[key];
  if (typeof value !== 'string' || value.trim() === '' || (pattern && !pattern.test(value))) {
    problems.push(`settings.${key} ${rule}`);
    return '';
  }
  return value.trim();
}

function optionalText(
  settings: Settings,
  key: string,
  fallback: string,
  problems: string[],
  rule: string,
  pattern?: RegExp,
): string {
  return settings[key] === undefined || settings[key] === null
    ? fallback
    : text(settings, key, problems, rule, pattern);
}

function wholeNumber(
  settings: Settings,
  key: string,
  fallback: number,
  max: number,
  problems: string[],
): number {
  const value = settings[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    problems.push(`settings.${key} must be a whole number from 1 to ${max}`);
    return fallback;
  }
  return value;
}

function objectClassesOf(settings: Settings, problems: string[]): string[] {
  const value = settings.objectClasses;
  if (value === undefined || value === null) return ['inetOrgPerson'];
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((v) => typeof v === 'string' && LDAP_NAME_PATTERN.test(v))
  ) {
    problems.push('settings.objectClasses must be a non-empty list of object class names');
    return ['inetOrgPerson'];
  }
  return value as string[];
}

/** The CA setting's value is a PEM text or a file path; a file is read now, so a wrong path fails at start. */
function caFrom(connection: RoleModelConnection, env: Environment, problems: string[]): string | undefined {
  const tls = connection.settings.tls as Settings;
  if (tls.caFileEnv === undefined || tls.caFileEnv === null) return undefined;
  if (typeof tls.caFileEnv !== 'string' || tls.caFileEnv === '') {
    problems.push('settings.tls.caFileEnv must be the name of an environment variable');
    return undefined;
  }
  const value = env[tls.caFileEnv];
  if (value === undefined || value === '') {
    problems.push(`environment variable ${tls.caFileEnv} (settings.tls.caFileEnv) is not set or empty`);
    return undefined;
  }
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    problems.push(
      `settings.tls.caFileEnv: cannot read the CA file named by ${tls.caFileEnv}: ${(error as Error).message}`,
    );
    return undefined;
  }
}

function tlsOf(
  connection: RoleModelConnection,
  env: Environment,
  problems: string[],
): LdapConnectorSettings['tls'] {
  const tls = connection.settings.tls;
  if (tls === undefined || tls === null) return { rejectUnauthorized: true };
  if (typeof tls !== 'object' || Array.isArray(tls)) {
    problems.push('settings.tls must be an object with rejectUnauthorized and/or caFileEnv');
    return { rejectUnauthorized: true };
  }
  for (const key of Object.keys(tls)) {
    if (!KNOWN_TLS.includes(key))
      problems.push(
        `settings.tls.${key} is not a TLS setting of the ldap connector (known: ${KNOWN_TLS.join(', ')})`,
      );
  }
  const reject = (tls as Settings).rejectUnauthorized;
  if (reject !== undefined && typeof reject !== 'boolean')
    problems.push('settings.tls.rejectUnauthorized must be true or false');
  const ca = caFrom(connection, env, problems);
  return { rejectUnauthorized: reject !== false, ...(ca !== undefined ? { ca } : {}) };
}

const URL_RULE = 'must be an LDAP URL: ldap://host[:port] or ldaps://host[:port]';
const URL_PATTERN = /^ldaps?:\/\/[^\s/?#]+\/?$/i;

/** The URL from settings.url, or from the variable settings.urlEnv names (exactly one of them). */
function urlOf(connection: RoleModelConnection, env: Environment, problems: string[]): string {
  const settings = connection.settings as Settings;
  const hasUrl = settings.url !== undefined && settings.url !== null;
  const hasUrlEnv = settings.urlEnv !== undefined && settings.urlEnv !== null;
  if (hasUrl && hasUrlEnv) {
    problems.push('settings.url and settings.urlEnv exclude each other: give one');
    return '';
  }
  if (!hasUrlEnv) return text(settings, 'url', problems, URL_RULE, URL_PATTERN);
  let value = '';
  try {
    value = resolveConnectionSecret(connection, 'urlEnv', env).trim();
  } catch (error) {
    if (!(error instanceof MissingSecretError)) throw error;
    problems.push(error.message);
    return '';
  }
  // The value is not a secret, but it is not printed either: it may carry credentials by mistake.
  if (!URL_PATTERN.test(value))
    problems.push(`the environment variable ${String(settings.urlEnv)} (settings.urlEnv) ${URL_RULE}`);
  return value;
}

/** Validates the settings and reads the secrets from the environment; lists every problem at once. */
export function readLdapSettings(connection: RoleModelConnection, env: Environment): LdapConnectorSettings {
  const settings = connection.settings as Settings;
  const problems: string[] = [];
  for (const key of Object.keys(settings)) {
    if (!KNOWN.includes(key))
      problems.push(`settings.${key} is not a setting of the ldap connector (known: ${KNOWN.join(', ')})`);
  }
  const dnRule = 'must be a distinguished name such as ou=people,dc=example,dc=com';
  const url = urlOf(connection, env, problems);
  const allowInsecure = settings.allowInsecure ?? false;
  if (typeof allowInsecure !== 'boolean') problems.push('settings.allowInsecure must be true or false');
  else if (!allowInsecure && /^ldap:/i.test(url))
    problems.push(
      'settings.url is a plain ldap:// URL, over which the bind password would travel unencrypted: use ldaps://, or set allowInsecure: true (a directory on loopback)',
    );
  const bindDn = text(settings, 'bindDn', problems, dnRule, DN_PATTERN);
  const accountsDn = text(settings, 'accountsDn', problems, dnRule, DN_PATTERN);
  const groupsDn = text(settings, 'groupsDn', problems, dnRule, DN_PATTERN);
  const nameRule = 'must be an LDAP attribute name (a letter, then letters, digits or hyphens)';
  const rdnAttribute = optionalText(settings, 'rdnAttribute', 'uid', problems, nameRule, LDAP_NAME_PATTERN);
  const disabledAttribute = optionalText(
    settings,
    'disabledAttribute',
    'description',
    problems,
    nameRule,
    LDAP_NAME_PATTERN,
  );
  const disabledValue = optionalText(
    settings,
    'disabledValue',
    'disabled',
    problems,
    'must be a non-empty text',
  );
  const onDelete = settings.onDelete ?? 'delete';
  if (onDelete !== 'delete' && onDelete !== 'disable')
    problems.push("settings.onDelete must be 'delete' or 'disable'");
  const objectClasses = objectClassesOf(settings, problems);
  const timeoutMs = wholeNumber(settings, 'timeoutMs', 10_000, 600_000, problems);
  const pageSize = wholeNumber(settings, 'pageSize', 500, MAX_PAGE_SIZE, problems);
  const connections = wholeNumber(settings, 'connections', 4, MAX_CONNECTIONS, problems);
  const tls = tlsOf(connection, env, problems);
  // ldapts switches a plain ldap:// connection to TLS whenever TLS options are given (no StartTLS).
  if (settings.tls !== undefined && settings.tls !== null && /^ldap:/i.test(url))
    problems.push('settings.tls applies to ldaps:// URLs only');
  let bindPassword = '';
  try {
    bindPassword = resolveConnectionSecret(connection, 'bindPasswordEnv', env);
  } catch (error) {
    if (!(error instanceof MissingSecretError)) throw error;
    problems.push(error.message);
  }
  if (problems.length > 0) {
    throw new ConnectorConfigurationError(
      `ldap connection '${connection.id}' is misconfigured: ${problems.join('; ')}`,
      {
        code: 'CONFIGURATION',
      },
    );
  }
  return {
    url: url.replace(/\/$/, ''),
    bindDn,
    bindPassword,
    accountsDn,
    groupsDn,
    rdnAttribute,
    objectClasses,
    onDelete: onDelete as LdapOnDelete,
    disabledAttribute,
    disabledValue,
    timeoutMs,
    pageSize,
    connections,
    tls,
  };
}
