/**
 * The wake-up of listeners after appends commit (ADR 0041), sent in a transaction of its own
 * rather than in the appends'. PostgreSQL serialises the commits of notifying transactions on one
 * cluster-wide lock held through the commit's WAL flush, so a NOTIFY inside the append made every
 * group commit, of every process, flush alone. Here the appends commit (and share flushes) freely,
 * and a separate transaction, asynchronously committed since a lost wake-up only costs a poll
 * interval, holds that lock for a moment without waiting for the disk.
 *
 * At most one wake-up is on its way; commits acknowledged meanwhile are covered by one more sent
 * after it, so every commit is followed by a wake-up that started after it, and a busy store
 * sends far fewer wake-ups than it commits groups. No timer: an idle store sends at once.
 */
import type { Pool } from 'pg';

export class CommitNotifier {
  private sending: Promise<void> | undefined;
  private pending = false;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
  ) {}

  /** Called once a transaction that wrote events has committed. */
  committed(): void {
    this.pending = true;
    this.sending ??= this.send();
  }

  private async send(): Promise<void> {
    while (this.pending) {
      this.pending = false;
      // A failure (server gone, pool ending) is left to the subscribers' poll, as a lost wake-up.
      // Named, so each connection parses and plans it once (ADR 0046): with one writer, a wake-up
      // follows every append.
      await this.pool
        .query({
          name: 'es.wake_up',
          text: `SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')`,
          values: [this.channel],
        })
        .catch(() => undefined);
    }
    // Cleared in the same step as the last check of `pending`: a commit after it starts a new send.
    this.sending = undefined;
  }

  /** Waits for the wake-up on its way, so that the pool can end after it. */
  async close(): Promise<void> {
    await this.sending;
  }
}
