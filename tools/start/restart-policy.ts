/**
 * When `npm start` starts a service again after it exited: at once the first time, then after
 * doubling pauses up to a bound, so a service that keeps crashing does not spin. A service that
 * ran long enough since its last start counts as healthy again and starts over at the first pause.
 */
export interface RestartPolicy {
  /** The first pause (ms). */
  initialDelayMs: number;
  /** The longest pause (ms). */
  maxDelayMs: number;
  /** Running this long (ms) resets the count of restarts. */
  healthyAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  healthyAfterMs: 60_000,
};

export interface RestartHistory {
  /** Restarts in a row without a healthy run in between. */
  consecutive: number;
  lastStartAt: number;
}

/** The pause before the next start, and the history after it. */
export function nextRestart(
  history: RestartHistory,
  exitedAt: number,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): { delayMs: number; history: RestartHistory } {
  const healthy = exitedAt - history.lastStartAt >= policy.healthyAfterMs;
  const consecutive = healthy ? 0 : history.consecutive;
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(consecutive, 20));
  return { delayMs, history: { consecutive: consecutive + 1, lastStartAt: exitedAt + delayMs } };
}
