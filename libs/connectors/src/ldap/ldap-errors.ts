import type { ErrorFields } from '../error-fields';
import { errorFields, messageOf, toConnectorError, TRANSIENT_NETWORK_CODES } from '../error-fields';

export { ldapResultCode } from '../error-fields';
import type { ConnectorError } from '../errors';

/**
 * Sorting directory failures into transient (retrying later can work) and permanent (someone must
 * fix the data, the rights or the configuration), with the directory's own words. ldapts turns
 * an LDAP result into an error whose numeric `code` is the result code (RFC 4511) and whose
 * message is the server's diagnostic plus " Code: 0x..", and reports network trouble as Node
 * socket errors (string codes) or as plain errors ("Connection timeout", "Operation timed out").
 */

/** RFC 4511 names: what an LDAP administrator looks up, and a message when the server gave none. */
const RESULT_NAMES: Readonly<Record<number, string>> = {
  1: 'operationsError',
  2: 'protocolError',
  3: 'timeLimitExceeded',
  4: 'sizeLimitExceeded',
  7: 'authMethodNotSupported',
  8: 'strongerAuthRequired',
  11: 'adminLimitExceeded',
  12: 'unavailableCriticalExtension',
  13: 'confidentialityRequired',
  16: 'noSuchAttribute',
  17: 'undefinedAttributeType',
  18: 'inappropriateMatching',
  19: 'constraintViolation',
  20: 'attributeOrValueExists',
  21: 'invalidAttributeSyntax',
  32: 'noSuchObject',
  33: 'aliasProblem',
  34: 'invalidDNSyntax',
  36: 'aliasDereferencingProblem',
  48: 'inappropriateAuthentication',
  49: 'invalidCredentials',
  50: 'insufficientAccessRights',
  51: 'busy',
  52: 'unavailable',
  53: 'unwillingToPerform',
  54: 'loopDetect',
  64: 'namingViolation',
  65: 'objectClassViolation',
  66: 'notAllowedOnNonLeaf',
  67: 'notAllowedOnRDN',
  68: 'entryAlreadyExists',
  69: 'objectClassModsProhibited',
  71: 'affectsMultipleDSAs',
  80: 'other',
};

export const LDAP_RESULT = {
  noSuchAttribute: 16,
  attributeOrValueExists: 20,
  noSuchObject: 32,
  objectClassViolation: 65,
  entryAlreadyExists: 68,
} as const;

/**
 * Results where the server, not the request, was the problem. `other` (80) is what slapd answers
 * for internal failures of its database (e.g. a reader table full), which usually pass; the
 * retry policy bounds the attempts if it does not.
 */
const TRANSIENT_RESULTS = new Set([3, 51, 52, 80]);

/** ldapts' own messages for a connection that failed, closed or timed out. */
const TRANSIENT_CLIENT_MESSAGES =
  /connection timeout|operation timed out|connection closed|socket error|socket connection not established|socket hang up/i;

export function isTransientLdapError(error: unknown): boolean {
  const fields = errorFields(error);
  if (!fields) return false;
  if (typeof fields.code === 'number') return TRANSIENT_RESULTS.has(fields.code);
  if (typeof fields.code === 'string' && TRANSIENT_NETWORK_CODES.has(fields.code)) return true;
  if (Array.isArray(fields.errors)) return fields.errors.some(isTransientLdapError); // dual-stack connect
  return TRANSIENT_CLIENT_MESSAGES.test(fields.message);
}

/** The server's diagnostic with ldapts' " Code: 0x.." suffix removed, and the result's name. */
function describe(fields: ErrorFields): string {
  if (typeof fields.code === 'number') {
    const diagnostic = fields.message.replace(/\s*Code: 0x[0-9a-f]+$/i, '').trim();
    const name = RESULT_NAMES[fields.code] ?? 'result';
    if (fields.code === 4) {
      // What an administrator must change is not obvious from the result alone.
      return `${name} (LDAP result 4): the server limits how many entries the bind account may read; allow its paged searches to return all (OpenLDAP: limits dn.exact="<bindDn>" size.prtotal=unlimited)`;
    }
    return diagnostic
      ? `${diagnostic} (${name}, LDAP result ${fields.code})`
      : `${name} (LDAP result ${fields.code})`;
  }
  return messageOf(fields);
}

/**
 * The ConnectorError for a failure of the directory or of reaching it. `context` says what was
 * being done (`add uid=jdoe,ou=people,...`), so that the message stands on its own in the console.
 */
export function toLdapConnectorError(
  error: unknown,
  scrub: (message: string) => string,
  context?: string,
): ConnectorError {
  return toConnectorError(error, scrub, { isTransient: isTransientLdapError, describe }, context);
}
