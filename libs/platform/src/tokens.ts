/** Injection tokens of what every service shares. */
export const SERVICE_ENVIRONMENT = Symbol('SERVICE_ENVIRONMENT');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const CHECKPOINT_STORE = Symbol('CHECKPOINT_STORE');
export const DATABASE_POOL = Symbol('DATABASE_POOL');
export const ROLE_MODEL = Symbol('ROLE_MODEL');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const SERVICE_BUS = Symbol('SERVICE_BUS');
/**
 * The agent's circuit breakers, as `() => ConnectionBreakerReport[]`: its readiness shows them.
 * A token rather than the agent's class, so the health code needs nothing of the agent.
 */
export const CONNECTION_BREAKER_STATES = Symbol('CONNECTION_BREAKER_STATES');
