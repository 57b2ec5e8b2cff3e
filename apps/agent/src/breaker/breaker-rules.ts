import { TransientConnectorError } from '@prov/connectors';
import type { ConnectionBreakerReport } from '@prov/platform';

/**
 * What a connection's circuit breaker means for its orders (ADR 0024). cockatiel keeps the
 * breaker's state (closed, open after consecutive failures, half-open for one probe); these
 * pure rules decide which failures count, how long an order waits and how fast the backlog
 * drains once the target answers again.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** What health, metrics and the gateway show of a breaker (`since`: its last change, ISO time). */
export type BreakerView = ConnectionBreakerReport;

/**
 * SQLSTATEs of a lost race with another writer (serialization failure, deadlock, lock not
 * available): the target answered, so they say nothing about it being down.
 */
const CONFLICT_CODES = new Set(['40001', '40P01', '55P03']);

/**
 * Whether a failure says the target is unreachable or failing as a whole: a transient connector
 * error (refused, reset, timed out, 5xx, busy) that is not a conflict between writers. Business
 * errors (entry exists, invalid value) are permanent and never count.
 */
export function countsAgainstTarget(error: unknown): boolean {
  if (!(error instanceof TransientConnectorError)) return false;
  return !(error.code !== undefined && CONFLICT_CODES.has(error.code));
}

/**
 * After a failure that counted: while the breaker is closed it was a single failure, left to
 * JetStream's redelivery with backoff; once the breaker is open (this failure may have opened
 * it) the order is held instead, since another attempt now would only use up a delivery.
 */
export function afterCountedFailure(stateAfter: BreakerState): 'hold' | 'redeliver' {
  return stateAfter === 'closed' ? 'redeliver' : 'hold';
}

/**
 * How long a held order waits before asking the breaker again: until the open period ends
 * (then cockatiel lets one call through as the probe), looking again at least every `pollMs`
 * so that a probe made by another order is noticed.
 */
export function holdDelayMs(
  openedAt: number | undefined,
  halfOpenAfterMs: number,
  now: number,
  pollMs: number,
): number {
  if (openedAt === undefined) return pollMs;
  return Math.max(10, Math.min(pollMs, openedAt + halfOpenAfterMs - now));
}

export interface DrainSettings {
  drainPerSecond: number;
  drainMs: number;
}

/**
 * When the next order may start: spaced by 1/drainPerSecond during `drainMs` after the breaker
 * closed, so that a backlog of days does not hit a target that just came back all at once;
 * at once otherwise. `lastStart` is the slot given to the previous order.
 */
export function drainSlot(
  settings: DrainSettings,
  closedAt: number | undefined,
  lastStart: number,
  now: number,
): number {
  if (closedAt === undefined || now - closedAt >= settings.drainMs) return now;
  return Math.max(now, lastStart + 1000 / settings.drainPerSecond);
}

/** The Prometheus value of a state: 0 closed, 1 half-open, 2 open. */
export function breakerGaugeValue(state: BreakerState): number {
  return state === 'closed' ? 0 : state === 'half-open' ? 1 : 2;
}
