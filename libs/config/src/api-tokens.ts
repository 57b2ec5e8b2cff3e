import { hash } from 'node:crypto';
import { API_ROLES, type ApiRole, ConfigurationError } from './environment';

/** A machine's API token as configured: its name (the actor on its events), role and hash. */
export interface ApiTokenEntry {
  name: string;
  role: ApiRole;
  /** SHA-256 of the token, 64 lowercase hex digits. */
  sha256: string;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The hash the configuration holds instead of a token. Tokens are random and long, so a fast
 * hash is enough: nobody can guess one from its hash, and checking costs one SHA-256.
 * Shell: `printf %s "$TOKEN" | sha256sum`.
 */
export function hashApiToken(token: string): string {
  // One-shot: a third of the CPU of createHash().update().digest() (no Hash object per call).
  return hash('sha256', token, 'hex');
}

/**
 * `API_TOKENS=name:role:sha256,name:role:sha256` → the entries, keyed by hash. The file or
 * environment that holds them reveals no token; the name becomes the actor of what the token does.
 */
export function parseApiTokens(value: string | undefined): Map<string, ApiTokenEntry> {
  const tokens = new Map<string, ApiTokenEntry>();
  if (!value) return tokens;
  const problems: string[] = [];
  const names = new Set<string>();
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const at = `API_TOKENS entry ${index + 1}`;
      const parts = entry.split(':');
      if (parts.length !== 3) {
        // Values are never echoed: an old-style entry would be a token in clear.
        problems.push(
          `${at} must be 'name:role:sha256' (the SHA-256 of the token in hex, never the token itself)`,
        );
        return;
      }
      const [name, role, sha256] = parts as [string, ApiRole, string];
      if (!NAME.test(name)) {
        problems.push(`${at}: the name must be 1 to 63 lowercase letters, digits, '.', '_' or '-'`);
      } else if (!API_ROLES.includes(role)) {
        problems.push(`${at} ('${name}') has role '${role}': must be one of ${API_ROLES.join(', ')}`);
      } else if (!SHA256_HEX.test(sha256)) {
        problems.push(`${at} ('${name}'): the hash must be 64 lowercase hex digits (SHA-256 of the token)`);
      } else if (names.has(name)) {
        problems.push(`${at}: the name '${name}' is given twice; each token needs its own name`);
      } else if (tokens.has(sha256)) {
        problems.push(`${at} ('${name}'): the same token is configured twice`);
      } else {
        names.add(name);
        tokens.set(sha256, { name, role, sha256 });
      }
    });
  if (problems.length) throw new ConfigurationError(problems);
  return tokens;
}

/** The machines' tokens of this process (API_TOKENS). */
export function readApiTokens(env: NodeJS.ProcessEnv = process.env): Map<string, ApiTokenEntry> {
  return parseApiTokens(env.API_TOKENS);
}

/** The `API_TOKENS` value for tokens known in clear (tests, `npm start`'s demo tokens). */
export function formatApiTokenEntries(
  entries: Array<{ name: string; role: ApiRole; token: string }>,
): string {
  return entries.map(({ name, role, token }) => `${name}:${role}:${hashApiToken(token)}`).join(',');
}
