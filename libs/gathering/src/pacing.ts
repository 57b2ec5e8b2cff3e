/**
 * Pacing (ADR 0050, ADR 0092): a burst of `burst` steps at once, then one per `intervalMs` while
 * they keep coming. Where every step costs the same however much it carries (a read of the log,
 * a wake-up of every subscription, a command through the bus), pacing makes a busy caller's steps
 * fewer and fuller, at a rate set by time rather than by its load, and keeps what matters at low
 * rates: after a quiet spell the steps go at once.
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

/** How long to wait at `now` before the next paced step; 0 when the bucket has a token. */
export function pacedDelay(fullAt: number, now: number, pacing: Pacing): number {
  if (pacing.intervalMs <= 0) return 0;
  return Math.max(0, fullAt - (Math.max(pacing.burst, 1) - 1) * pacing.intervalMs - now);
}

/** The instant the bucket is full again after a step taken at `at`. */
export function pacedStep(fullAt: number, at: number, pacing: Pacing): number {
  return Math.max(fullAt, at) + Math.max(pacing.intervalMs, 0);
}

/** The bucket of one paced caller: a subscription, a notifier, a caller's commands at the edge. */
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

  /**
   * Records a step taken now ahead of its turn: it takes the turn, but however many such steps
   * go, the next one waits at most one interval.
   */
  takeAhead(now = Date.now()): void {
    const mostAhead = now + Math.max(this.pacing.burst, 1) * Math.max(this.pacing.intervalMs, 0);
    this.fullAt = Math.min(pacedStep(this.fullAt, now, this.pacing), mostAhead);
  }
}
