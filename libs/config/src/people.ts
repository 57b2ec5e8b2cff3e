import { API_ROLES, type ApiRole, ConfigurationError } from './environment';

/**
 * How people sign in to the console: OpenID Connect (authorization code with PKCE) when
 * OIDC_ISSUER is set, API tokens only otherwise. Values of secrets never appear in messages.
 */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Where the provider sends people back: `<PUBLIC_URL>/api/auth/callback`. */
  redirectUri: string;
  scopes: string;
  /** The claim (ID token or userinfo) that lists the person's groups. */
  rolesClaim: string;
  /** Group → role, in the order given: the first listed group the person has decides the role. */
  roleMapping: Array<{ group: string; role: ApiRole }>;
  /** The claim shown as the person's name on the audit trail (falls back to `sub`). */
  nameClaim: string;
}

export interface ConsoleSessionSettings {
  /** HMAC key of console sessions; absent = a random key per gateway start (sessions end with it). */
  secret?: string;
  ttlSeconds: number;
}

export interface PeopleSettings {
  oidc?: OidcSettings;
  session: ConsoleSessionSettings;
}

const DEFAULT_MAPPING = 'admin=admin,auditor=auditor,reviewer=reviewer,operator=operator,requester=requester';

/** `OIDC_ROLE_MAPPING=group=role,group=role` (a group name may contain anything but ',' and '='). */
export function parseRoleMapping(value: string, problems: string[]): Array<{ group: string; role: ApiRole }> {
  const mapping: Array<{ group: string; role: ApiRole }> = [];
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const [group, role, ...rest] = entry.split('=').map((part) => part.trim());
      if (!group || !role || rest.length > 0) {
        problems.push(`OIDC_ROLE_MAPPING entry ${index + 1} must be 'group=role'`);
      } else if (!API_ROLES.includes(role as ApiRole)) {
        problems.push(
          `OIDC_ROLE_MAPPING entry ${index + 1} ('${group}') has role '${role}': must be one of ${API_ROLES.join(', ')}`,
        );
      } else mapping.push({ group, role: role as ApiRole });
    });
  if (mapping.length === 0 && problems.length === 0)
    problems.push('OIDC_ROLE_MAPPING must map at least one group to a role');
  return mapping;
}

function httpUrl(name: string, value: string, problems: string[]): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return value.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  problems.push(`${name} must be an http:// or https:// URL`);
  return value;
}

export function readPeopleSettings(env: NodeJS.ProcessEnv = process.env): PeopleSettings {
  const problems: string[] = [];
  const ttlSeconds = Number(env.SESSION_TTL_SECONDS ?? 8 * 3600);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 7 * 24 * 3600) {
    problems.push('SESSION_TTL_SECONDS must be an integer from 60 to 604800 (seconds)');
  }
  const secret = env.SESSION_SECRET || undefined;
  if (secret !== undefined && Buffer.byteLength(secret) < 32) {
    problems.push('SESSION_SECRET must have 32 or more characters (random; it signs console sessions)');
  }
  let oidc: OidcSettings | undefined;
  if (env.OIDC_ISSUER) {
    const issuer = httpUrl('OIDC_ISSUER', env.OIDC_ISSUER, problems);
    const port = env.PORT ?? '8080';
    const publicUrl = httpUrl('PUBLIC_URL', env.PUBLIC_URL ?? `http://127.0.0.1:${port}`, problems);
    if (!env.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID is required when OIDC_ISSUER is set');
    const roleMapping = parseRoleMapping(env.OIDC_ROLE_MAPPING ?? DEFAULT_MAPPING, problems);
    const scopes = env.OIDC_SCOPES ?? 'openid profile groups';
    if (!scopes.split(/\s+/).includes('openid')) problems.push("OIDC_SCOPES must include 'openid'");
    oidc = {
      issuer,
      clientId: env.OIDC_CLIENT_ID ?? '',
      clientSecret: env.OIDC_CLIENT_SECRET || undefined,
      redirectUri: `${publicUrl}/api/auth/callback`,
      scopes,
      rolesClaim: env.OIDC_ROLES_CLAIM ?? 'groups',
      roleMapping,
      nameClaim: env.OIDC_NAME_CLAIM ?? 'name',
    };
  }
  if (problems.length) throw new ConfigurationError(problems);
  return { oidc, session: { secret, ttlSeconds } };
}
