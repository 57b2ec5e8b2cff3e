import {
  MissingSecretError,
  resolveConnectionSecret,
  type Environment,
  type RoleModelConnection,
} from '@prov/role-model';
import { ConnectorConfigurationError } from '../errors';
import {
  isDn,
  LDAP_NAME_PATTERN,
  readTls,
  secret,
  type Settings,
  text,
  type TlsSettings,
  unknownKeys,
  wholeNumber,
} from '../settings/settings-rules';

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
  tls: TlsSettings;
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
// One DN and name rule for every directory connector (settings-rules.ts).
export { LDAP_NAME_PATTERN };
const MAX_PAGE_SIZE = 10_000;
const MAX_CONNECTIONS = 16;

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
  if (!hasUrlEnv) return text(settings, 'url', problems, URL_RULE, { pattern: URL_PATTERN });
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
  unknownKeys(settings, KNOWN, '', 'a setting of the ldap connector', problems);
  const dnRule = 'must be a distinguished name such as ou=people,dc=example,dc=com';
  const url = urlOf(connection, env, problems);
  const allowInsecure = settings.allowInsecure ?? false;
  if (typeof allowInsecure !== 'boolean') problems.push('settings.allowInsecure must be true or false');
  else if (!allowInsecure && /^ldap:/i.test(url))
    problems.push(
      'settings.url is a plain ldap:// URL, over which the bind password would travel unencrypted: use ldaps://, or set allowInsecure: true (a directory on loopback)',
    );
  const dn = (key: string) => {
    if (isDn(settings[key])) return (settings[key] as string).trim();
    problems.push(`settings.${key} ${dnRule}`);
    return '';
  };
  const bindDn = dn('bindDn');
  const accountsDn = dn('accountsDn');
  const groupsDn = dn('groupsDn');
  const nameRule = 'must be an LDAP attribute name (a letter, then letters, digits or hyphens)';
  const name = { pattern: LDAP_NAME_PATTERN };
  const rdnAttribute = text(settings, 'rdnAttribute', problems, nameRule, { ...name, fallback: 'uid' });
  const disabledAttribute = text(settings, 'disabledAttribute', problems, nameRule, {
    ...name,
    fallback: 'description',
  });
  const disabledValue = text(settings, 'disabledValue', problems, 'must be a non-empty text', {
    fallback: 'disabled',
  });
  const onDelete = settings.onDelete ?? 'delete';
  if (onDelete !== 'delete' && onDelete !== 'disable')
    problems.push("settings.onDelete must be 'delete' or 'disable'");
  const objectClasses = objectClassesOf(settings, problems);
  const timeoutMs = wholeNumber(settings, 'timeoutMs', 10_000, problems, { max: 600_000 });
  const pageSize = wholeNumber(settings, 'pageSize', 500, problems, { max: MAX_PAGE_SIZE });
  const connections = wholeNumber(settings, 'connections', 4, problems, { max: MAX_CONNECTIONS });
  const tls = readTls(settings.tls, env, problems, {
    what: 'a TLS setting of the ldap connector',
    unreadable: (variable, _path, error) =>
      `settings.tls.caFileEnv: cannot read the CA file named by ${variable}: ${error.message}`,
  });
  // ldapts switches a plain ldap:// connection to TLS whenever TLS options are given (no StartTLS).
  if (settings.tls !== undefined && settings.tls !== null && /^ldap:/i.test(url))
    problems.push('settings.tls applies to ldaps:// URLs only');
  const bindPassword = secret(connection, 'bindPasswordEnv', env, problems);
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
