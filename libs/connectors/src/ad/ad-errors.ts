import { errorFields, messageOf, toConnectorError, TRANSIENT_NETWORK_CODES } from '../error-fields';

export { ldapResultCode } from '../error-fields';
import type { ConnectorError } from '../errors';

/**
 * Sorting directory failures into transient (retrying later can work) and permanent (someone must
 * fix data, rights or configuration). An LDAP result code says it when there is one; failures
 * without one come from the network, TLS or the client library.
 *
 * (The ldap connector has a similar table; they are kept apart until both have settled.)
 */

/** LDAP result codes (RFC 4511) where the server, not the request, was the problem. */
const TRANSIENT_RESULT_CODES = new Set([
  3, // timeLimitExceeded
  51, // busy
  52, // unavailable
  81, // server down (client-side code some libraries report)
]);

/** Result codes the connector treats as "already in the wanted state" in some places. */
export const LDAP_NO_SUCH_ATTRIBUTE = 16;
export const LDAP_NO_SUCH_OBJECT = 32;
export const LDAP_UNWILLING_TO_PERFORM = 53;
export const LDAP_ENTRY_ALREADY_EXISTS = 68;
export const LDAP_ATTRIBUTE_OR_VALUE_EXISTS = 20;

// What ldapts says when the connection dropped, or an operation or the connect timed out.
const TRANSIENT_CLIENT_MESSAGES =
  /connection closed|socket error|operation timed out|connection timeout|socket hang up|ECONNRESET|ECONNREFUSED|ETIMEDOUT/i;

export function isTransientLdapError(error: unknown): boolean {
  const fields = errorFields(error);
  if (!fields) return false;
  const { code } = fields;
  if (typeof code === 'number') return TRANSIENT_RESULT_CODES.has(code);
  if (typeof code === 'string') return TRANSIENT_NETWORK_CODES.has(code);
  // TLS failures (untrusted certificate, wrong host name) carry string codes and stay permanent:
  // retrying cannot fix the configuration.
  return TRANSIENT_CLIENT_MESSAGES.test(messageOf(fields));
}

/**
 * The ConnectorError for a failure of the directory or of reaching it, with the directory's own
 * message (AD's carries the reason, e.g. "check_password_restrictions: the password is too
 * short") and secrets scrubbed. The code is the LDAP result code, or Node's error code.
 */
export function toAdConnectorError(error: unknown, scrub: (message: string) => string): ConnectorError {
  return toConnectorError(error, scrub, {
    isTransient: isTransientLdapError,
    describe: (fields) => messageOf(fields).trim(),
  });
}
