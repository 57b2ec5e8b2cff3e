import { ConfigurationError } from './environment';

/** The agent's circuit breaker per connection (apps/agent/src/breaker). */
export interface BreakerConfiguration {
  /** AGENT_BREAKER_FAILURES (3): consecutive transient failures of a connection that open its breaker. */
  failuresToOpen: number;
  /** AGENT_BREAKER_HALF_OPEN_MS (5000): how long it stays open before one order probes the target. */
  halfOpenAfterMs: number;
  /** AGENT_DRAIN_PER_SECOND (20): orders started per second at most while the backlog drains. */
  drainPerSecond: number;
  /** AGENT_DRAIN_MS (60000): how long after closing the drain rate applies. */
  drainMs: number;
}

export function readBreakerConfiguration(env: NodeJS.ProcessEnv = process.env): BreakerConfiguration {
  const problems: string[] = [];
  const read = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (Number.isSafeInteger(value) && value >= 1) return value;
    problems.push(`${name} must be a whole number of 1 or more, got '${raw}'`);
    return fallback;
  };
  const configuration = {
    failuresToOpen: read('AGENT_BREAKER_FAILURES', 3),
    halfOpenAfterMs: read('AGENT_BREAKER_HALF_OPEN_MS', 5000),
    drainPerSecond: read('AGENT_DRAIN_PER_SECOND', 20),
    drainMs: read('AGENT_DRAIN_MS', 60_000),
  };
  if (problems.length) throw new ConfigurationError(problems);
  return configuration;
}
