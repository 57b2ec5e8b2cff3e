import { readFileSync } from 'node:fs';
import { flag, mapping, optional, renamed, text, type Rule } from './settings-schema';

/**
 * The rules several connectors' schemas share, so that a DN, a name or a TLS block is held to one
 * rule and described in one way whichever connector reads it.
 */

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

/** A DN setting; the rule's example is in the directory's own spelling. */
export function dn(rule = 'must be a distinguished name such as ou=people,dc=example,dc=com'): Rule<string> {
  return text(rule, { test: isDn });
}

export interface TlsSettings {
  rejectUnauthorized: boolean;
  ca?: string;
}

/**
 * `caFileEnv` names a variable holding a PEM text or a file path; a file is read now, so that a
 * wrong path fails at start. Not a secret: the variable and the path may be named.
 */
const caFile = optional<string | undefined>({
  read(variable, at) {
    if (typeof variable !== 'string' || variable === '')
      return at.problem('must be the name of an environment variable');
    const path = at.env[variable];
    if (path === undefined || path === '')
      return at.say(`environment variable ${variable} (${at.name}) is not set or empty`);
    if (path.includes('-----BEGIN')) return path;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      return at.say(`${at.name}: cannot read the CA file named by ${variable}: ${(error as Error).message}`);
    }
  },
});

/** `tls: { rejectUnauthorized, caFileEnv }` of the directory connectors. */
export function tls(what?: string): Rule<TlsSettings> {
  return mapping(
    { rejectUnauthorized: flag(true), caFileEnv: renamed('ca', caFile) },
    {
      what,
      rule: 'must be an object with rejectUnauthorized and/or caFileEnv',
      default: Object.freeze({ rejectUnauthorized: true }),
    },
  );
}
