/**
 * The wake-up of listeners after appends commit (ADR 0041), sent in a transaction of its own
 * rather than in the appends'. PostgreSQL serialises the commits of notifying transactions on one
 * cluster-wide lock held through the commit's WAL flush, so a NOTIFY inside the append made every
 * group commit, of every process, flush alone. Here the appends commit (and share flushes) freely,
 * and a separate transaction, asynchronously committed since a lost wake-up only costs a poll
 * interval, holds that lock for a moment without waiting for the disk.
 *
 * At most one wake-up is on its way; commits acknowledged meanwhile are covered by one more sent
 * after it, so every commit is followed by a wake-up that started after it. Paced (ADR 0050): a
 * few wake-ups go at once, then one per interval while commits keep coming (each wake-up makes
 * every subscription of every process read), so a busy store sends wake-ups at a rate set by time,
 * not by its commits. No wait after a quiet spell: an idle store sends at once.
 */
import type { Pool } from 'pg';
import { Pacer, type Pacing } from '@prov/gathering';
import { PendingAnnouncement } from '../core/subscription-wake-ups';

/** Four at once, then one per 20 ms (50 a second): the few commits of a lone request are not held back. */
export const WAKE_UP_PACING: Pacing = { burst: 4, intervalMs: 20 };

export class CommitNotifier {
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending = false;
  private readonly announcement = new PendingAnnouncement();
  private closing = false;
  private readonly pacer: Pacer;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
    pacing: Pacing = WAKE_UP_PACING,
  ) {
    this.pacer = new Pacer(pacing);
  }

  /**
   * Called once a transaction that wrote events has committed, with its appends (their event
   * types and streams are announced to listeners), or without, for a wake-up of everyone.
   */
  committed(appends?: readonly { streamName: string; events: readonly { type: string }[] }[]): void {
    this.announcement.add(appends);
    this.pending = true;
    this.schedule();
  }

  /** Sends the wake-up the commits so far are owed, now or when the pacing allows. */
  private schedule(): void {
    if (!this.pending || this.sending || this.timer) return;
    const wait = this.closing ? 0 : this.pacer.delay();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, wait);
      // A wake-up owed must not keep a process alive; close() sends it instead.
      this.timer.unref();
      return;
    }
    // Cleared before the wake-up starts: a commit after this point is owed one more.
    this.pending = false;
    this.pacer.take();
    this.sending = this.send(this.announcement.take()).finally(() => {
      this.sending = undefined;
      this.schedule();
    });
  }

  private async send(payload: string): Promise<void> {
    // A failure (server gone, pool ending) is left to the subscribers' poll, as a lost wake-up.
    // Named, so each connection parses and plans it once (ADR 0046): with wake-ups paced (a
    // burst of 4, then one per 20 ms; ADR 0050) it is still sent many times a second.
    await this.pool
      .query({
        name: 'es.wake_up_announced',
        text: `SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)`,
        values: [this.channel, payload],
      })
      .catch(() => undefined);
  }

  /** Sends an owed wake-up without waiting for the pacing, and waits for it, so the pool can end after it. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.schedule();
    }
    while (this.sending) await this.sending;
  }
}
