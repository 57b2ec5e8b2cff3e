/**
 * What the agent does with an order of a connection whose target keeps failing (issue 12). The
 * breaker itself (closed -> open after consecutive failures -> half-open after a pause -> closed
 * on one success) is cockatiel's; these rules decide what that means for an order.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  /** Consecutive transient failures of a connection that open its breaker. */
  failuresToOpen: number;
  /** How long the breaker stays open before one order probes the target. */
  halfOpenAfterMs: number;
  /** After it closes, orders start at most this many per second for `drainMs`. */
  drainPerSecond: number;
  drainMs: number;
}

export const DEFAULT_BREAKER_SETTINGS: BreakerSettings = {
  failuresToOpen: 3,
  halfOpenAfterMs: 5_000,
  drainPerSecond: 20,
  drainMs: 60_000,
};

/**
 * An order's way past the breaker:
 * - `apply`: call the target;
 * - `probe`: try; the breaker lets one order through to test the target, the others come back
 *   as held;
 * - `hold`: keep the order (JetStream sees it in progress, its delivery is not used up) and ask
 *   again later: the target is known to be down, an attempt would only burn a retry.
 */
export function admitOrder(state: BreakerState): 'apply' | 'probe' | 'hold' {
  return state === 'closed' ? 'apply' : state === 'half-open' ? 'probe' : 'hold';
}

/**
 * After a transient failure: `hold` the order when the breaker is (now) open, since the target
 * is down rather than the order wrong; otherwise `redeliver` it through JetStream's backoff,
 * as for any single failure.
 */
export function afterTransientFailure(stateAfter: BreakerState): 'hold' | 'redeliver' {
  return stateAfter === 'closed' ? 'redeliver' : 'hold';
}

/**
 * When the next order may start while the backlog drains after the breaker closed: spaced by
 * 1/drainPerSecond during `drainMs`, at once otherwise. Returns the delay from `now`.
 */
export function drainDelayMs(settings: BreakerSettings, closedAt: number | undefined, lastStartAt: number, now: number): number {
  if (closedAt === undefined || now - closedAt >= settings.drainMs) return 0;
  const spacing = 1000 / settings.drainPerSecond;
  return Math.max(0, lastStartAt + spacing - now);
}
