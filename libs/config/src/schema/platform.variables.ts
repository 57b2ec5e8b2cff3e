import type { VariableSpec } from './variable';

const MS = 'milliseconds';

/** What every service reads: the bus, PostgreSQL, logs, shutdown, health and metrics. */
export const PLATFORM_VARIABLES: readonly VariableSpec[] = [
  { name: 'NATS_URL', type: 'url', schemes: ['nats', 'tls', 'ws', 'wss'], list: true, services: 'all', default: 'nats://127.0.0.1:4222', doc: 'NATS servers (JetStream enabled, the bus configuration of `deploy/nats/`); a comma-separated list for a cluster' },
  { name: 'BUS_IDENTITY', type: 'string', pattern: /^[a-z]+(-[a-z0-9]+)*$/, rule: "'<service>' or '<service>-<name>'", services: 'all', default: 'the service name', doc: 'who the service is on the bus: its NATS user, inbox `_INBOX.<identity>` and command signer (a second agent: `agent-emea`)' },
  { name: 'NATS_NKEY_SEED', type: 'string', secret: true, services: 'all', doc: 'required: the identity\'s NATS nkey seed (`SU…`)' },
  { name: 'NATS_JETSTREAM_NKEY_SEED', type: 'string', secret: true, services: ['orders'], doc: 'required for `orders`: the seed of `orders-js`, the user that publishes orders and manages the streams' },
  { name: 'NATS_TLS_CA_FILE', type: 'string', services: 'all', doc: 'TLS to NATS: the CA of the server\'s certificate' },
  { name: 'NATS_TLS_CERT_FILE', type: 'string', services: 'all', doc: 'a client certificate for mutual TLS (with `NATS_TLS_KEY_FILE`)' },
  { name: 'NATS_TLS_KEY_FILE', type: 'string', services: 'all', doc: 'the client certificate\'s key' },
  { name: 'COMMAND_SIGNING_KEY', type: 'string', secret: true, services: 'all', doc: 'required: the identity\'s Ed25519 private key (base64url, 32 bytes) that signs its commands' },
  { name: 'COMMAND_SIGNERS', type: 'string', services: 'all', doc: 'required: `identity:publicKey,…`, the signers whose commands are accepted' },
  { name: 'COMMAND_TOKEN_TTL_MS', type: 'integer', min: 1000, max: 600_000, unit: MS, services: 'all', default: '30000', doc: 'how long a signed command is valid (and its id remembered against replays)' },
  { name: 'COMMAND_TIMEOUT_MS', type: 'integer', min: 1, max: 600_000, unit: MS, services: 'all', default: '10000', doc: 'how long a caller waits for a command\'s reply over NATS' },
  { name: 'COMMAND_GRACE_PERIOD_MS', type: 'integer', min: 0, max: 600_000, unit: MS, services: 'all', default: '1000', doc: 'on shutdown, how long in-flight command handlers get to reply' },
  { name: 'SHUTDOWN_GRACE_MS', type: 'integer', min: 1000, max: 3_600_000, unit: MS, services: 'all', default: '15000', doc: 'after SIGTERM, how long a service may take before it exits anyway' },
  { name: 'DATABASE_URL', type: 'url', schemes: ['postgres', 'postgresql'], secret: true, services: 'all', default: 'postgres://postgres@127.0.0.1:5432/provisioning', doc: 'PostgreSQL database of the event store and the read models (its password is never logged)' },
  { name: 'DATABASE_POOL_SIZE', type: 'integer', min: 1, max: 1000, unit: 'connections', services: 'all', default: '10', doc: 'PostgreSQL connections per service process' },
  { name: 'DATABASE_CONNECT_TIMEOUT_MS', type: 'integer', min: 100, max: 600_000, unit: MS, services: 'all', default: '5000', doc: 'how long opening a PostgreSQL connection may take' },
  { name: 'DATABASE_STATEMENT_TIMEOUT_MS', type: 'integer', min: 100, max: 3_600_000, unit: MS, services: 'all', default: '30000', doc: 'how long one SQL statement may run before PostgreSQL cancels it' },
  { name: 'EVENT_STORE', type: 'enum', values: ['postgres', 'eventstoredb'], services: 'all', default: 'postgres', doc: '`eventstoredb` (with `EVENTSTOREDB_URL`) to use EventStoreDB' },
  { name: 'EVENTSTOREDB_URL', type: 'url', schemes: ['esdb', 'esdb+discover'], secret: true, services: 'all', doc: 'EventStoreDB connection string, required with `EVENT_STORE=eventstoredb`' },
  { name: 'ROLE_MODEL', type: 'string', services: 'all', default: 'deploy/role-model/sample.yaml', doc: 'role model file' },
  { name: 'LOG_LEVEL', type: 'enum', values: ['error', 'warn', 'log', 'debug', 'verbose'], services: 'all', default: 'log', doc: 'lowest level written (one JSON object per line)' },
  { name: 'MAX_JSON_DEPTH', type: 'integer', min: 4, max: 1000, unit: 'levels', services: 'all', default: '32', doc: 'deepest nesting accepted in a request body or a command (deeper: 400)' },
  { name: 'HEALTH_PORT', type: 'integer', min: 0, max: 65535, unit: 'TCP port, 0: none', services: 'all', default: '0', doc: 'the port of `/health/live`, `/health/ready` and `/metrics` of a service (the gateway also serves them on `PORT`); 0: no such listener' },
  { name: 'HEALTH_HOST', type: 'string', services: 'all', default: '127.0.0.1', doc: 'the address the health and metrics listener binds (`0.0.0.0` in a container)' },
  { name: 'HEALTH_CACHE_MS', type: 'integer', min: 0, max: 60_000, unit: MS, services: 'all', default: '1000', doc: 'how long a readiness result is reused before dependencies are asked again' },
];
