/**
 * Reads the service configuration from the environment (docs/architecture.md §8). Every problem names
 * the variable and the rule; values of secrets never appear in messages.
 */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * `hr-feed`: an HR system or identity provider pushing identities (SCIM, the import); nothing else.
 * `auditor`: reads everything the audit questions need (explain, the audit log and its export,
 * any instant, what-if, stuck orders, the chain verification) and changes nothing.
 */
export type ApiRole = 'requester' | 'reviewer' | 'operator' | 'admin' | 'hr-feed' | 'auditor';
export const API_ROLES: readonly ApiRole[] = [
  'requester',
  'reviewer',
  'operator',
  'admin',
  'hr-feed',
  'auditor',
];

export interface ServiceEnvironment {
  natsUrl: string;
  databaseUrl: string;
  eventStore: 'postgres' | 'eventstoredb';
  eventStoreDbUrl?: string;
  roleModelPath: string;
  port: number;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  commandTimeoutMs: number;
}

const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): ServiceEnvironment {
  const problems: string[] = [];
  const natsUrl = env.NATS_URL ?? 'nats://127.0.0.1:4222';
  if (!/^(nats|tls|ws|wss):\/\/[^\s]+$/.test(natsUrl)) problems.push('NATS_URL must be a nats:// URL');
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/provisioning';
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must be a postgres:// URL');
  const eventStore = (env.EVENT_STORE ?? 'postgres') as ServiceEnvironment['eventStore'];
  if (eventStore !== 'postgres' && eventStore !== 'eventstoredb') {
    problems.push("EVENT_STORE must be 'postgres' or 'eventstoredb'");
  }
  if (eventStore === 'eventstoredb' && !env.EVENTSTOREDB_URL) {
    problems.push("EVENTSTOREDB_URL is required when EVENT_STORE is 'eventstoredb'");
  }
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push('PORT must be an integer from 0 to 65535');
  const logLevel = (env.LOG_LEVEL ?? 'log') as ServiceEnvironment['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const commandTimeoutMs = Number(env.COMMAND_TIMEOUT_MS ?? 10_000);
  if (!Number.isInteger(commandTimeoutMs) || commandTimeoutMs <= 0) {
    problems.push('COMMAND_TIMEOUT_MS must be a positive integer (milliseconds)');
  }
  if (problems.length) throw new ConfigurationError(problems);
  return {
    natsUrl,
    databaseUrl,
    eventStore,
    eventStoreDbUrl: env.EVENTSTOREDB_URL,
    roleModelPath: env.ROLE_MODEL ?? 'deploy/role-model/sample.yaml',
    port,
    logLevel,
    commandTimeoutMs,
  };
}

/** Logs the database URL without its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable url>';
  }
}
