/**
 * How often a woken subscription reads the log, and how often a store wakes its listeners
 * (ADR 0050): a burst of `burst` at once, then one per `intervalMs` while they keep coming.
 *
 * Every commit wakes every subscription of every process, and each wake-up was a read (and the
 * commit's wake-up a statement of its own), so under load both grew with the commits rather than
 * with time. A token bucket keeps what matters at low rates (a lone request's few hops, a few ms
 * apart, each read and woken at once) and caps both at one per interval under load, where one read
 * or wake-up then covers every commit since the previous one.
 *
 * Written as the generic cell rate algorithm: the whole state is one instant, the moment the
 * bucket is full again (its "theoretical arrival time"), so the decision is two pure functions.
 */
export interface Pacing {
  /** Taken at once after a quiet spell of `burst × intervalMs`. */
  burst: number;
  /** Then one per this many ms. 0 turns pacing off. */
  intervalMs: number;
}

/**
 * The PostgreSQL store's subscriptions: four reads at once, then one per 20 ms (50 a second)
 * while wake-ups keep coming. A lone request's hops come a few ms apart, three or four per
 * subscription, and refill the bucket in the quiet between requests.
 */
export const READ_PACING: Pacing = { burst: 4, intervalMs: 20 };

/** How long to wait at `now` before the next paced step; 0 when the bucket has a token. */
export function pacedDelay(fullAt: number, now: number, pacing: Pacing): number {
  if (pacing.intervalMs <= 0) return 0;
  return Math.max(0, fullAt - (Math.max(pacing.burst, 1) - 1) * pacing.intervalMs - now);
}

/** The instant the bucket is full again after a step taken at `at`. */
export function pacedStep(fullAt: number, at: number, pacing: Pacing): number {
  return Math.max(fullAt, at) + Math.max(pacing.intervalMs, 0);
}

/** The bucket of one subscription or one notifier. */
export class Pacer {
  private fullAt = 0;

  constructor(private readonly pacing: Pacing) {}

  /** Milliseconds to wait before the next step; 0 when it may go now. */
  delay(now = Date.now()): number {
    return pacedDelay(this.fullAt, now, this.pacing);
  }

  /** Records a step taken now. */
  take(now = Date.now()): void {
    this.fullAt = pacedStep(this.fullAt, now, this.pacing);
  }
}
