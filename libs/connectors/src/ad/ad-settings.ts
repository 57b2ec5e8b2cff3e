import type { Environment, RoleModelConnection } from '@prov/role-model';
import { ConnectorConfigurationError } from '../errors';
import {
  isDn,
  LDAP_NAME_PATTERN,
  readTls,
  secret,
  type TlsSettings,
  unknownKeys,
  wholeNumber,
} from '../settings/settings-rules';

/**
 * Settings of an `ad` (Active Directory) connection, read from the role model:
 *
 *   url                 ldaps://host[:port]: passwords (unicodePwd) can only be set over TLS
 *   bindDn              the service account (DN, or user@domain)
 *   bindPasswordEnv     environment variable holding its password
 *   usersDn, groupsDn   where the connector creates users and groups; an OU=... that does not
 *                       exist is created (its parent must exist), a CN=... container must exist
 *   upnSuffix           userPrincipalName = accountKey@upnSuffix
 *   initialPasswordEnv  optional: the password of new users when the order maps no `password`
 *   onDelete            optional, `delete` (default) or `disable`: what Deleted does to an account
 *   attributes          optional: the user attributes orders may write and readAll reports
 *   timeoutMs           optional, default 10000: connect and per-operation timeout
 *   pageSize            optional, default 500: paged search size (AD caps pages at MaxPageSize, 1000)
 *   tls                 optional: { rejectUnauthorized (default true), caFileEnv (variable holding
 *                       the path of a PEM CA bundle to trust, e.g. the domain's own CA) }
 */

export type AdOnDelete = 'delete' | 'disable';

export interface AdConnectorSettings {
  url: string;
  bindDn: string;
  bindPassword: string;
  usersDn: string;
  groupsDn: string;
  upnSuffix: string;
  initialPassword?: string;
  onDelete: AdOnDelete;
  attributes: string[];
  timeoutMs: number;
  pageSize: number;
  tls: TlsSettings;
}

export const AD_DEFAULT_ATTRIBUTES = [
  'givenName',
  'sn',
  'displayName',
  'mail',
  'department',
  'title',
  'company',
  'employeeID',
  'telephoneNumber',
  'description',
];

/** The order attribute that carries a new user's initial password; never read back, never logged. */
export const AD_PASSWORD_ATTRIBUTE = 'password';

/**
 * Attributes the connector itself sets or that identify the entry: an order (or the attributes
 * list) naming one would fight the connector, so they are refused.
 */
export const AD_RESERVED_ATTRIBUTES = [
  'objectClass',
  'cn',
  'name',
  'distinguishedName',
  'sAMAccountName',
  'userPrincipalName',
  'userAccountControl',
  'unicodePwd',
  'userPassword',
  'member',
  'memberOf',
  'objectGUID',
  'objectSid',
].map((a) => a.toLowerCase());

const KNOWN = [
  'url',
  'bindDn',
  'bindPasswordEnv',
  'usersDn',
  'groupsDn',
  'upnSuffix',
  'initialPasswordEnv',
  'onDelete',
  'attributes',
  'timeoutMs',
  'pageSize',
  'tls',
];
// One DN rule for every directory connector (settings-rules.ts).
export { isDn };
const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

function readAttributes(value: unknown, problems: string[]): string[] {
  if (value === undefined || value === null) return [...AD_DEFAULT_ATTRIBUTES];
  if (!Array.isArray(value) || value.some((a) => typeof a !== 'string' || !LDAP_NAME_PATTERN.test(a))) {
    problems.push('settings.attributes must be a list of LDAP attribute names ([A-Za-z][A-Za-z0-9-]*)');
    return [];
  }
  const names = value as string[];
  const refused = names.filter(
    (a) => AD_RESERVED_ATTRIBUTES.includes(a.toLowerCase()) || a.toLowerCase() === AD_PASSWORD_ATTRIBUTE,
  );
  if (refused.length > 0) {
    problems.push(
      `settings.attributes must not name attributes the connector manages itself: ${refused.join(', ')}`,
    );
  }
  return [...new Set(names)];
}

/** Validates the settings and reads the secrets from the environment; lists every problem at once. */
export function readAdSettings(connection: RoleModelConnection, env: Environment): AdConnectorSettings {
  const settings = connection.settings as Record<string, unknown>;
  const problems: string[] = [];
  unknownKeys(settings, KNOWN, '', 'a setting of the ad connector', problems);
  const url = settings.url;
  let validUrl = false;
  try {
    validUrl = typeof url === 'string' && new URL(url).protocol === 'ldaps:' && new URL(url).hostname !== '';
  } catch {
    validUrl = false;
  }
  if (!validUrl)
    problems.push('settings.url must be an ldaps://host[:port] URL (passwords are only set over TLS)');
  const bindDn = settings.bindDn;
  if (typeof bindDn !== 'string' || !(isDn(bindDn) || /^[^@\s]+@[^@\s]+$/.test(bindDn))) {
    problems.push('settings.bindDn must be a DN (CN=...,DC=...) or a user principal name (user@domain)');
  }
  for (const key of ['usersDn', 'groupsDn']) {
    if (!isDn(settings[key]))
      problems.push(`settings.${key} must be a DN such as OU=People,DC=example,DC=com`);
  }
  const upnSuffix = settings.upnSuffix;
  if (typeof upnSuffix !== 'string' || !DOMAIN.test(upnSuffix)) {
    problems.push('settings.upnSuffix must be a DNS domain such as example.com');
  }
  const onDelete = settings.onDelete ?? 'delete';
  if (onDelete !== 'delete' && onDelete !== 'disable')
    problems.push('settings.onDelete must be delete or disable');
  const attributes = readAttributes(settings.attributes, problems);
  const timeoutMs = wholeNumber(settings, 'timeoutMs', 10_000, problems);
  const pageSize = wholeNumber(settings, 'pageSize', 500, problems);
  const tls = readTls(settings.tls, env, problems, {
    what: 'a setting of tls',
    unreadable: (_variable, path, error) => `settings.tls.caFileEnv: cannot read ${path}: ${error.message}`,
  });
  const bindPassword = secret(connection, 'bindPasswordEnv', env, problems);
  const initialPassword =
    settings.initialPasswordEnv === undefined
      ? undefined
      : secret(connection, 'initialPasswordEnv', env, problems);
  if (problems.length > 0) {
    throw new ConnectorConfigurationError(
      `ad connection '${connection.id}' is misconfigured: ${problems.join('; ')}`,
      {
        code: 'CONFIGURATION',
      },
    );
  }
  return {
    url: url as string,
    bindDn: bindDn as string,
    bindPassword,
    usersDn: (settings.usersDn as string).trim(),
    groupsDn: (settings.groupsDn as string).trim(),
    upnSuffix: upnSuffix as string,
    ...(initialPassword !== undefined ? { initialPassword } : {}),
    onDelete: onDelete as AdOnDelete,
    attributes,
    timeoutMs,
    pageSize,
    tls,
  };
}
