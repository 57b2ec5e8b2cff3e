import type { Environment, RoleModelConnection } from '@prov/role-model';
import { ConnectorConfigurationError } from '../errors';
import { isMapping, secret, unknownKeys, wholeNumber } from '../settings/settings-rules';

/**
 * Settings of a `scim` connection, read from the role model:
 *
 *   baseUrl             the service provider's SCIM base URL, without /Users (https://app.example.com/scim/v2)
 *   tokenEnv            name of the environment variable holding the bearer token
 *   timeoutMs           optional, default 10000: limit for one HTTP request, body included
 *   pageSize            optional, default 100: `count` asked for per page when reading everything
 *   userNameAttribute   optional, default userName: the SCIM User attribute that holds the order's
 *                       accountKey, `userName` or `externalId` (see scim-attributes.ts)
 *   tls                 optional, { rejectUnauthorized: true } only (see below)
 *
 * TLS: Node 20's built-in fetch takes TLS options only through an undici `dispatcher`, and undici
 * is not a dependency of this project (Node bundles it without exporting it). So certificates are
 * always verified; `tls.rejectUnauthorized: false` is refused here rather than silently ignored.
 * A target behind a private CA is trusted by starting the agent with NODE_EXTRA_CA_CERTS=<pem>.
 */

export const SCIM_KEY_ATTRIBUTES = ['userName', 'externalId'] as const;
export type ScimKeyAttribute = (typeof SCIM_KEY_ATTRIBUTES)[number];

export interface ScimConnectorSettings {
  /** Without trailing slash, so that `${baseUrl}/Users` is right. */
  baseUrl: string;
  token: string;
  timeoutMs: number;
  pageSize: number;
  userNameAttribute: ScimKeyAttribute;
}

const KNOWN = ['baseUrl', 'tokenEnv', 'timeoutMs', 'pageSize', 'userNameAttribute', 'tls'];
const KNOWN_TLS = ['rejectUnauthorized'];

function readBaseUrl(value: unknown, problems: string[]): string {
  const rule = 'settings.baseUrl must be an absolute http(s) URL such as https://app.example.com/scim/v2';
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push(rule);
    return '';
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    problems.push(rule);
    return '';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') problems.push(rule);
  // A password in the URL would be a secret in the role model, which is versioned and shown.
  if (url.username || url.password)
    problems.push('settings.baseUrl must not contain credentials (the token comes from settings.tokenEnv)');
  if (url.search || url.hash) problems.push('settings.baseUrl must not have a query or a fragment');
  return url.toString().replace(/\/+$/, '');
}

function checkTls(value: unknown, problems: string[]): void {
  if (value === undefined || value === null) return;
  if (!isMapping(value)) {
    problems.push('settings.tls must be a mapping such as { rejectUnauthorized: true }');
    return;
  }
  const tls = value;
  unknownKeys(tls, KNOWN_TLS, 'tls.', 'a TLS setting of the scim connector', problems);
  const reject = tls.rejectUnauthorized;
  if (reject !== undefined && typeof reject !== 'boolean') {
    problems.push('settings.tls.rejectUnauthorized must be true or false');
  } else if (reject === false) {
    problems.push(
      'settings.tls.rejectUnauthorized: false is not supported: Node 20 fetch can only change TLS checks ' +
        'through an undici dispatcher, which this project does not ship; trust the CA with NODE_EXTRA_CA_CERTS',
    );
  }
}

/** Validates the settings and reads the token from the environment; lists every problem at once. */
export function readScimSettings(connection: RoleModelConnection, env: Environment): ScimConnectorSettings {
  const settings = connection.settings as Record<string, unknown>;
  const problems: string[] = [];
  unknownKeys(settings, KNOWN, '', 'a setting of the scim connector', problems);
  const baseUrl = readBaseUrl(settings.baseUrl, problems);
  const timeoutMs = wholeNumber(settings, 'timeoutMs', 10_000, problems, { max: 600_000 });
  const pageSize = wholeNumber(settings, 'pageSize', 100, problems, { max: 1000 });
  const keyAttribute = settings.userNameAttribute ?? 'userName';
  if (!SCIM_KEY_ATTRIBUTES.includes(keyAttribute as ScimKeyAttribute)) {
    problems.push(`settings.userNameAttribute must be one of ${SCIM_KEY_ATTRIBUTES.join(', ')}`);
  }
  checkTls(settings.tls, problems);
  const token = secret(connection, 'tokenEnv', env, problems);
  // The token is sent in a header: a line break in it would let it inject further headers.
  if (/[\r\n]/.test(token)) problems.push(`the token in settings.tokenEnv must be a single line`);
  if (problems.length > 0) {
    throw new ConnectorConfigurationError(
      `scim connection '${connection.id}' is misconfigured: ${problems.join('; ')}`,
      { code: 'CONFIGURATION' },
    );
  }
  return { baseUrl, token, timeoutMs, pageSize, userNameAttribute: keyAttribute as ScimKeyAttribute };
}
