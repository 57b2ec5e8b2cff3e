import { assertNoProblems, integerVariable, textVariable } from './schema/schema';

/**
 * How a service is operated: where its health and metrics listener is, how big its PostgreSQL
 * pool is, how long it may take to stop. Typed and defaulted by the schema
 * (libs/config/src/schema), so docs/operations.md and the code cannot disagree.
 */
export interface OperationsSettings {
  /** HOST: the gateway's listener address. */
  host: string;
  /** HEALTH_PORT: 0 when the service has no health listener of its own. */
  healthPort: number;
  healthHost: string;
  healthCacheMs: number;
  /** HEALTH_PEERS: name -> base URL of another service's health listener (the gateway reports them). */
  healthPeers: Record<string, string>;
  databasePoolSize: number;
  shutdownGraceMs: number;
  commandGracePeriodMs: number;
}

export function readOperationsSettings(env: NodeJS.ProcessEnv = process.env): OperationsSettings {
  const problems: string[] = [];
  const peers = textVariable(env, 'HEALTH_PEERS', problems);
  const settings: OperationsSettings = {
    host: textVariable(env, 'HOST', problems) ?? '127.0.0.1',
    healthPort: integerVariable(env, 'HEALTH_PORT', problems),
    healthHost: textVariable(env, 'HEALTH_HOST', problems) ?? '127.0.0.1',
    healthCacheMs: integerVariable(env, 'HEALTH_CACHE_MS', problems),
    healthPeers: Object.fromEntries(
      (peers ?? '')
        .split(',')
        .filter(Boolean)
        .map((entry) => entry.split('=') as [string, string]),
    ),
    databasePoolSize: integerVariable(env, 'DATABASE_POOL_SIZE', problems),
    shutdownGraceMs: integerVariable(env, 'SHUTDOWN_GRACE_MS', problems),
    commandGracePeriodMs: integerVariable(env, 'COMMAND_GRACE_PERIOD_MS', problems),
  };
  assertNoProblems(problems);
  return settings;
}

/** How an agent consumes its orders. */
export interface AgentSettings {
  /** AGENT_CONNECTIONS; undefined: every automatic connection of the role model. */
  connections?: string[];
  maxDeliver: number;
  ackWaitMs: number;
  concurrency: number;
  reportRetryMs: number;
  breaker: BreakerSettings;
}

/** The circuit breaker of each connection an agent serves (ADR 0024). */
export interface BreakerSettings {
  /** AGENT_BREAKER_FAILURES: consecutive connection-level failures that open it. */
  failuresToOpen: number;
  /** AGENT_BREAKER_HALF_OPEN_MS: how long it stays open before one order probes the target. */
  halfOpenAfterMs: number;
  /** AGENT_DRAIN_PER_SECOND: order starts per second at most while the backlog drains. */
  drainPerSecond: number;
  /** AGENT_DRAIN_MS: how long after closing the drain rate applies. */
  drainMs: number;
}

export function readAgentSettings(env: NodeJS.ProcessEnv = process.env): AgentSettings {
  const problems: string[] = [];
  const connections = textVariable(env, 'AGENT_CONNECTIONS', problems)
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const settings: AgentSettings = {
    ...(connections?.length ? { connections } : {}),
    maxDeliver: integerVariable(env, 'AGENT_MAX_DELIVER', problems),
    ackWaitMs: integerVariable(env, 'AGENT_ACK_WAIT_MS', problems),
    concurrency: integerVariable(env, 'AGENT_CONCURRENCY', problems),
    reportRetryMs: integerVariable(env, 'AGENT_REPORT_RETRY_MS', problems),
    breaker: {
      failuresToOpen: integerVariable(env, 'AGENT_BREAKER_FAILURES', problems),
      halfOpenAfterMs: integerVariable(env, 'AGENT_BREAKER_HALF_OPEN_MS', problems),
      drainPerSecond: integerVariable(env, 'AGENT_DRAIN_PER_SECOND', problems),
      drainMs: integerVariable(env, 'AGENT_DRAIN_MS', problems),
    },
  };
  assertNoProblems(problems);
  return settings;
}

/**
 * The environment the role model's connection secrets are resolved from (`passwordEnv:
 * LDAP_PASSWORD` and the like): their names come from the role model, not from this schema, so
 * connectors receive the process environment from here instead of reading it themselves.
 */
export function connectionSecretsEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}

/**
 * The process environment, for the readers' default argument outside this library (tests pass
 * their own): the one place it is read, so a variable cannot be read past the schema unnoticed.
 */
export function processEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}
