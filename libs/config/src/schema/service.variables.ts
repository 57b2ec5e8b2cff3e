import type { VariableSpec } from './variable';

const MS = 'milliseconds';

/** What only some services read. */
export const SERVICE_VARIABLES: readonly VariableSpec[] = [
  // gateway
  { name: 'HOST', type: 'string', services: ['gateway'], default: '127.0.0.1', doc: 'the address the gateway listens on (`0.0.0.0` in a container)' },
  { name: 'PORT', type: 'integer', min: 0, max: 65535, unit: 'TCP port', services: ['gateway'], default: '8080', doc: 'the gateway\'s HTTP port (API, console, `/api/health`, `/metrics`)' },
  { name: 'HEALTH_PEERS', type: 'string', pattern: /^([a-z]+(-[a-z0-9]+)*=https?:\/\/[^\s,=]+)(,[a-z]+(-[a-z0-9]+)*=https?:\/\/[^\s,=]+)*$/, rule: "'name=http://host:port,…' (the services' health listeners)", services: ['gateway'], doc: 'the other services\' health listeners that `/api/health` reports, e.g. `orders=http://orders:9464`' },
  { name: 'CONSOLE_DIR', type: 'string', services: ['gateway'], default: 'dist/web', doc: 'the built web console the gateway serves at `/` (`npm run build:web`)' },
  { name: 'API_TOKENS', type: 'string', services: ['gateway'], doc: 'machines\' tokens as `name:role:sha256,…` (the SHA-256 of each token, never the token)' },
  { name: 'API_DOCS_PUBLIC', type: 'boolean', services: ['gateway'], default: 'false', doc: '`/api/docs` without a token' },
  { name: 'OIDC_ISSUER', type: 'url', schemes: ['http', 'https'], services: ['gateway'], doc: 'the OpenID provider people sign in with; unset: API tokens only' },
  { name: 'OIDC_CLIENT_ID', type: 'string', services: ['gateway'], doc: 'the gateway\'s client at the provider, required with `OIDC_ISSUER`' },
  { name: 'OIDC_CLIENT_SECRET', type: 'string', secret: true, services: ['gateway'], doc: 'its secret (none: a public client with PKCE)' },
  { name: 'PUBLIC_URL', type: 'url', schemes: ['http', 'https'], services: ['gateway'], default: 'http://127.0.0.1:<PORT>', doc: 'how browsers reach the gateway (redirect URI `<PUBLIC_URL>/api/auth/callback`)' },
  { name: 'OIDC_SCOPES', type: 'string', services: ['gateway'], default: 'openid profile groups', doc: 'scopes asked for' },
  { name: 'OIDC_ROLES_CLAIM', type: 'string', services: ['gateway'], default: 'groups', doc: 'the claim listing the person\'s groups' },
  { name: 'OIDC_ROLE_MAPPING', type: 'string', services: ['gateway'], default: 'admin=admin,reviewer=reviewer,operator=operator,requester=requester', doc: '`group=role,…`; the first listed group the person has gives the role' },
  { name: 'OIDC_NAME_CLAIM', type: 'string', services: ['gateway'], default: 'name', doc: 'the claim shown as the person\'s name in the audit trail' },
  { name: 'SESSION_SECRET', type: 'string', secret: true, services: ['gateway'], default: 'random per start', doc: 'key (32+ characters) that signs console sessions; set it for more than one gateway' },
  { name: 'SESSION_TTL_SECONDS', type: 'integer', min: 60, max: 604_800, unit: 'seconds', services: ['gateway'], default: '28800', doc: 'how long a console session lasts' },
  { name: 'HTTP_BODY_LIMIT_BYTES', type: 'integer', min: 1024, max: 10 * 1024 * 1024, unit: 'bytes', services: ['gateway'], default: '102400', doc: 'largest JSON body accepted (larger: 413)' },
  { name: 'CSV_IMPORT_MAX_BYTES', type: 'integer', min: 1024, max: 100 * 1024 * 1024, unit: 'bytes', services: ['gateway'], default: '5242880', doc: 'largest CSV import (larger: 413, before parsing)' },
  { name: 'RATE_LIMIT_WINDOW_MS', type: 'integer', min: 1000, max: 3_600_000, unit: MS, services: ['gateway'], default: '60000', doc: 'the window of both rate limits' },
  { name: 'RATE_LIMIT_SIGN_IN', type: 'integer', min: 1, max: 1_000_000, unit: 'attempts', services: ['gateway'], default: '20', doc: 'sign-in attempts per client address and window (over: 429)' },
  { name: 'RATE_LIMIT_WRITES', type: 'integer', min: 1, max: 10_000_000, unit: 'requests', services: ['gateway'], default: '6000', doc: 'writes per token and window (over: 429 with Retry-After)' },
  { name: 'SSE_MAX_CONNECTIONS', type: 'integer', min: 1, max: 100_000, unit: 'streams', services: ['gateway'], default: '500', doc: 'live-update streams open at once, in total' },
  { name: 'SSE_MAX_PER_TOKEN', type: 'integer', min: 1, max: 10_000, unit: 'streams', services: ['gateway'], default: '10', doc: 'live-update streams open at once per token' },
  { name: 'STUCK_AFTER_PENDING', type: 'string', pattern: /^P/, rule: 'an ISO-8601 duration', services: ['gateway'], default: 'PT1H', doc: 'service level of an order in 1 Pending; past it `GET /api/orders/stuck` lists it' },
  { name: 'STUCK_AFTER_TRANSMITTED', type: 'string', pattern: /^P/, rule: 'an ISO-8601 duration', services: ['gateway'], default: 'P3D', doc: 'the same for 2 Transmitted' },
  { name: 'STUCK_AFTER_ERRORED', type: 'string', pattern: /^P/, rule: 'an ISO-8601 duration', services: ['gateway'], default: 'PT4H', doc: 'the same for 3 Errored' },
  { name: 'STUCK_AFTER_AWAITING_APPROVAL', type: 'string', pattern: /^P/, rule: 'an ISO-8601 duration', services: ['gateway'], default: 'P2D', doc: 'the same for 5 AwaitingApproval (counted from the end of a postponement)' },
  { name: 'STUCK_AFTER_ERROR', type: 'string', pattern: /^P/, rule: 'an ISO-8601 duration', services: ['gateway'], default: 'PT4H', doc: 'the same for 7 Error' },
  { name: 'STUCK_AFTER_EXECUTED', type: 'string', pattern: /^P/, rule: 'an ISO-8601 duration', services: ['gateway'], default: 'P1D', doc: 'the same for 8 Executed (waiting for verification)' },
  // orders
  { name: 'TIMER_INTERVAL_MS', type: 'integer', min: 10, max: 86_400_000, unit: MS, services: ['orders'], default: '5000', doc: 'how often `orders` checks start and end dates, validity periods, retries and lost dispatches' },
  { name: 'DISPATCH_TIMEOUT_MS', type: 'integer', min: 120_001, max: 604_800_000, unit: MS, services: ['orders'], default: '300000', doc: 'a Pending automatic order with no report after this long is published again (beyond JetStream\'s 2-minute duplicate window)' },
  { name: 'COMPLETE_JOB_SCHEDULE', type: 'string', services: ['orders'], doc: 'cron expression (UTC, five fields or six with seconds) of the complete job, e.g. `0 2 * * *`' },
  { name: 'COMPLETE_JOB_FULFIL_TIMEOUT_MS', type: 'integer', min: 1, max: 86_400_000, unit: MS, services: ['orders'], default: '120000', doc: 'how long the complete job\'s fulfil task waits for the orders it dispatched to report' },
  { name: 'ORDERS_STREAM_REPLICAS', type: 'enum', values: ['1', '3', '5'], services: ['orders'], default: '1', doc: 'copies of `PROV_ORDERS` and `PROV_ORDERS_DLQ` (3 on the cluster of `deploy/nats/cluster/`)' },
  { name: 'ORDERS_STREAM_MAX_MSGS', type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'orders', services: ['orders'], default: '1000000', doc: 'orders waiting in `PROV_ORDERS` at most; when full a dispatch is refused and the order stays Pending' },
  { name: 'ORDERS_STREAM_MAX_BYTES', type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'bytes', services: ['orders'], default: '1073741824', doc: 'bytes of waiting orders at most (same rule)' },
  { name: 'ORDERS_DLQ_MAX_MSGS', type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'messages', services: ['orders'], default: '100000', doc: 'dead letters kept at most (the oldest go first)' },
  // requests
  { name: 'DEACTIVATION_CHECK_MS', type: 'integer', min: 100, max: 86_400_000, unit: MS, services: ['requests'], default: '5000', doc: 'how often `requests` deactivates identities whose scheduled deactivation has come' },
  // agent
  { name: 'AGENT_CONNECTIONS', type: 'string', pattern: /^\s*[^\s,]+(\s*,\s*[^\s,]+)*\s*$/, rule: 'comma-separated connection ids', services: ['agent'], default: 'every automatic connection', doc: 'the connections an agent serves' },
  { name: 'AGENT_MAX_DELIVER', type: 'integer', min: 1, max: 1000, unit: 'deliveries', services: ['agent'], default: '5', doc: 'JetStream deliveries per order' },
  { name: 'AGENT_ACK_WAIT_MS', type: 'integer', min: 1000, max: 3_600_000, unit: MS, services: ['agent'], default: '30000', doc: 'JetStream ack wait of the agent\'s consumer' },
  { name: 'AGENT_CONCURRENCY', type: 'integer', min: 1, max: 1000, unit: 'orders', services: ['agent'], default: '16', doc: 'orders one agent applies at the same time (one account\'s orders stay in sequence)' },
  { name: 'AGENT_REPORT_RETRY_MS', type: 'integer', min: 0, max: 86_400_000, unit: MS, services: ['agent'], default: '60000', doc: 'how long an agent keeps retrying a report while `orders` is unreachable' },
  { name: 'AGENT_STREAM_WAIT_MS', type: 'integer', min: 0, max: 86_400_000, unit: MS, services: ['agent'], default: '60000', doc: 'how long an agent started before `orders` waits for the order streams' },
  { name: 'AGENT_FULL_READ_EVERY', type: 'integer', min: 1, max: 1_000_000, unit: 'synchronizations', services: ['agent'], default: '20', doc: 'an Active Directory connection is read incrementally between full reads; every n-th is full' },
  { name: 'PASSWORD_DELIVERY_DIR', type: 'string', pattern: /^\//, rule: 'an absolute path', services: ['agent'], doc: 'directory where the agent hands over generated passwords (one 0600 file per account)' },
  { name: 'HR_APP_DATABASE_URL', type: 'url', schemes: ['postgres', 'postgresql'], secret: true, services: ['agent'], doc: 'the sample role model\'s SQL connection; a role model names its connections\' secret variables itself (`…Env` settings)' },
  { name: 'ROLE_MODEL_DEPLOYED_BY', type: 'string', pattern: /^.{1,200}$/u, rule: 'at most 200 characters (control characters are refused when read)', services: 'all', doc: 'who deployed the role model file, recorded on its version (see docs/audit.md)' },
];
