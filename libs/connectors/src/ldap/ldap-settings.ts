import { dn, LDAP_NAME_PATTERN, tls } from '../settings/settings-rules';
import {
  connectorSettings,
  flag,
  list,
  oneOf,
  optional,
  secret,
  text,
  wholeNumber,
  renamed,
} from '../settings/settings-schema';

export type LdapOnDelete = 'delete' | 'disable';

/** What the connector works with: the settings read, defaults applied, secrets resolved. */
export type LdapConnectorSettings = ReturnType<typeof readLdapSettings>;

const URL_RULE = 'must be an LDAP URL: ldap://host[:port] or ldaps://host[:port]';
const URL_PATTERN = /^ldaps?:\/\/[^\s/?#]+\/?$/i;
const NAME_RULE = 'must be an LDAP attribute name (a letter, then letters, digits or hyphens)';

/**
 * The schema of an `ldap` connection's settings in the role model. Reading validates them and
 * takes the secrets from the environment, listing every problem at once. DNs and attribute names
 * end up in LDAP requests, so they are held to their syntax here, with a message naming the
 * setting, rather than failing later as an order's error.
 */
export const readLdapSettings = connectorSettings(
  'ldap',
  {
    url: optional(text(URL_RULE, { test: URL_PATTERN })),
    // The service account the connector binds as.
    bindDn: dn(),
    bindPasswordEnv: renamed('bindPassword', secret()),
    // Accounts are <rdnAttribute>=<accountKey>,<accountsDn>; groups cn=<group>,<groupsDn> (groupOfNames).
    accountsDn: dn(),
    groupsDn: dn(),
    rdnAttribute: text(NAME_RULE, { test: LDAP_NAME_PATTERN, default: 'uid' }),
    // The object classes of new accounts.
    objectClasses: list(LDAP_NAME_PATTERN, 'must be a non-empty list of object class names', {
      nonEmpty: true,
      default: ['inetOrgPerson'],
    }),
    // What happens to an account whose last entitlement is revoked; `disable` adds
    // disabledAttribute: disabledValue.
    onDelete: oneOf<LdapOnDelete>(['delete', 'disable'], 'delete', "must be 'delete' or 'disable'"),
    disabledAttribute: text(NAME_RULE, { test: LDAP_NAME_PATTERN, default: 'description' }),
    disabledValue: text('must be a non-empty text', { default: 'disabled' }),
    // Per connect and per LDAP operation.
    timeoutMs: wholeNumber(10_000, { max: 600_000 }),
    // Entries per page of the paged searches.
    pageSize: wholeNumber(500, { max: 10_000 }),
    // Connections the operations are spread over; slapd serves one connection with at most half its threads.
    connections: wholeNumber(4, { max: 16 }),
    // caFileEnv: the CA certificate(s) to trust, as a PEM file's path or the PEM text itself.
    tls: tls('a TLS setting of the ldap connector'),
    // Instead of url: the variable holding the URL (one role model for several environments, or
    // a directory started on demand). Not a secret, but not printed: it may carry credentials.
    urlEnv: optional(secret({ test: (url) => URL_PATTERN.test(url.trim()), rule: URL_RULE })),
    // A plain ldap:// URL is refused unless this is true (e.g. a directory on loopback): the bind
    // password would cross the network unencrypted.
    allowInsecure: flag(false),
  },
  ({ url, urlEnv, allowInsecure, ...settings }, at) => {
    if (url !== undefined && urlEnv !== undefined)
      at.say('settings.url and settings.urlEnv exclude each other: give one');
    else if (url === undefined && urlEnv === undefined) at.child('url').problem(URL_RULE);
    const address = (url ?? urlEnv ?? '').trim().replace(/\/$/, '');
    const plain = /^ldap:/i.test(address);
    if (plain && !allowInsecure)
      at.child('url').problem(
        'is a plain ldap:// URL, over which the bind password would travel unencrypted: use ldaps://, or set allowInsecure: true (a directory on loopback)',
      );
    // ldapts switches a plain ldap:// connection to TLS whenever TLS options are given (no StartTLS).
    if (plain && at.connection.settings.tls !== undefined && at.connection.settings.tls !== null)
      at.child('tls').problem('applies to ldaps:// URLs only');
    return { url: address, ...settings };
  },
);
