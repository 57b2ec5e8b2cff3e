import { dn, isDn, LDAP_NAME_PATTERN, tls } from '../settings/settings-rules';
import {
  type At,
  connectorSettings,
  list,
  oneOf,
  optional,
  renamed,
  secret,
  text,
  wholeNumber,
} from '../settings/settings-schema';

export type AdOnDelete = 'delete' | 'disable';

/** What the connector works with: the settings read, defaults applied, secrets resolved. */
export type AdConnectorSettings = ReturnType<typeof readAdSettings>;

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

const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const DN_RULE = 'must be a DN such as OU=People,DC=example,DC=com';

function isLdapsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'ldaps:' && url.hostname !== '';
  } catch {
    return false;
  }
}

function refuseManagedAttributes(names: string[], at: At): void {
  const refused = names.filter(
    (a) => AD_RESERVED_ATTRIBUTES.includes(a.toLowerCase()) || a.toLowerCase() === AD_PASSWORD_ATTRIBUTE,
  );
  if (refused.length > 0)
    at.problem(`must not name attributes the connector manages itself: ${refused.join(', ')}`);
}

/**
 * The schema of an `ad` (Active Directory) connection's settings in the role model. Reading
 * validates them and takes the secrets from the environment, listing every problem at once.
 */
export const readAdSettings = connectorSettings(
  'ad',
  {
    // Passwords (unicodePwd) can only be set over TLS.
    url: text('must be an ldaps://host[:port] URL (passwords are only set over TLS)', { test: isLdapsUrl }),
    // The service account.
    bindDn: text('must be a DN (CN=...,DC=...) or a user principal name (user@domain)', {
      test: (name) => isDn(name) || /^[^@\s]+@[^@\s]+$/.test(name),
    }),
    bindPasswordEnv: renamed('bindPassword', secret()),
    // Where users and groups are created: a missing OU=... is created (its parent must exist), a
    // CN=... container must exist.
    usersDn: dn(DN_RULE),
    groupsDn: dn(DN_RULE),
    // userPrincipalName = accountKey@upnSuffix
    upnSuffix: text('must be a DNS domain such as example.com', { test: DOMAIN }),
    // The password of new users when the order maps no `password`.
    initialPasswordEnv: renamed('initialPassword', optional(secret())),
    // What Deleted does to an account.
    onDelete: oneOf<AdOnDelete>(['delete', 'disable'], 'delete', 'must be delete or disable'),
    // The user attributes orders may write and readAll reports.
    attributes: list(LDAP_NAME_PATTERN, 'must be a list of LDAP attribute names ([A-Za-z][A-Za-z0-9-]*)', {
      default: AD_DEFAULT_ATTRIBUTES,
      check: refuseManagedAttributes,
    }),
    // Connect and per-operation timeout.
    timeoutMs: wholeNumber(10_000),
    // Paged search size; AD caps pages at MaxPageSize, 1000.
    pageSize: wholeNumber(500),
    // caFileEnv: a PEM CA bundle to trust, e.g. the domain's own CA.
    tls: tls(),
  },
  (read) => read,
);
