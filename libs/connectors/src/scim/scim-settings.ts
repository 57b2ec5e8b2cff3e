import {
  type At,
  connectorSettings,
  flag,
  mapping,
  oneOf,
  type Rule,
  renamed,
  secret,
  wholeNumber,
} from '../settings/settings-schema';

export const SCIM_KEY_ATTRIBUTES = ['userName', 'externalId'] as const;
export type ScimKeyAttribute = (typeof SCIM_KEY_ATTRIBUTES)[number];

/** What the connector works with: the settings read, defaults applied, the token resolved. */
export type ScimConnectorSettings = ReturnType<typeof readScimSettings>;

/** The service provider's SCIM base URL, without /Users (https://app.example.com/scim/v2). */
const baseUrl: Rule<string> = {
  read(value, at) {
    let url: URL | undefined;
    try {
      url = new URL(typeof value === 'string' ? value.trim() : '');
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:' && url?.protocol !== 'http:')
      return at.problem('must be an absolute http(s) URL such as https://app.example.com/scim/v2') ?? '';
    // A password in the URL would be a secret in the role model, which is versioned and shown.
    if (url.username || url.password)
      at.problem('must not contain credentials (the token comes from settings.tokenEnv)');
    if (url.search || url.hash) at.problem('must not have a query or a fragment');
    return url.toString().replace(/\/+$/, '');
  },
};

/**
 * Node 20's built-in fetch takes TLS options only through an undici `dispatcher`, and undici is
 * not a dependency of this project (Node bundles it without exporting it). So certificates are
 * always verified, and switching that off is refused rather than silently ignored. A target
 * behind a private CA is trusted by starting the agent with NODE_EXTRA_CA_CERTS=<pem>.
 */
function refuseUnverifiedTls(reject: boolean, at: At): void {
  if (!reject)
    at.say(
      `${at.name}: false is not supported: Node 20 fetch can only change TLS checks ` +
        'through an undici dispatcher, which this project does not ship; trust the CA with NODE_EXTRA_CA_CERTS',
    );
}

/**
 * The schema of a `scim` connection's settings in the role model. Reading validates them and
 * takes the token from the environment, listing every problem at once.
 */
export const readScimSettings = connectorSettings(
  'scim',
  {
    baseUrl,
    // The bearer token is sent in a header: a line break in it would let it inject further headers.
    tokenEnv: renamed(
      'token',
      secret({ test: (token) => !/[\r\n]/.test(token), rule: 'must be a single line' }),
    ),
    // Limit for one HTTP request, body included.
    timeoutMs: wholeNumber(10_000, { max: 600_000 }),
    // `count` asked for per page when reading everything.
    pageSize: wholeNumber(100, { max: 1000 }),
    // The SCIM User attribute that holds the order's accountKey (see scim-attributes.ts).
    userNameAttribute: oneOf(SCIM_KEY_ATTRIBUTES, 'userName'),
    tls: mapping(
      { rejectUnauthorized: flag(true, refuseUnverifiedTls) },
      {
        what: 'a TLS setting of the scim connector',
        rule: 'must be a mapping such as { rejectUnauthorized: true }',
        default: { rejectUnauthorized: true },
      },
    ),
  },
  ({ tls: _verified, ...settings }) => settings,
);
