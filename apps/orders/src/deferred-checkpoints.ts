import { Logger } from '@nestjs/common';
import type { CheckpointStore, Position } from '@prov/event-store';

/**
 * A checkpoint store for the orders service's reactions that writes each subscription's
 * checkpoint at most once per `intervalMs`, always the latest position it was given. The
 * catch-up subscription asks for a write as soon as an event is handled, which at the burst's
 * rates is one UPDATE per event per reaction, two per order (issue 11, ADR 0044). Handlers are
 * idempotent already (delivery is at-least-once), so a checkpoint that lags by one interval
 * only means that, after a kill -9, the events of that interval are handled again and find
 * their work done. A position is never written before the subscription hands it over, so the
 * checkpoint still never passes an unfinished event; `flush()` writes what is pending (on
 * shutdown, and before a subscription that restarts loads its checkpoint).
 */
export class DeferredCheckpoints implements CheckpointStore {
  private readonly logger = new Logger('Checkpoints');
  private readonly pending = new Map<string, Position>();
  private readonly lastWrite = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly inner: CheckpointStore,
    private readonly intervalMs = 200,
  ) {}

  async load(subscriptionId: string): Promise<Position | undefined> {
    await this.flush();
    return this.inner.load(subscriptionId);
  }

  async store(subscriptionId: string, position: Position): Promise<void> {
    this.pending.set(subscriptionId, position);
    const since = Date.now() - (this.lastWrite.get(subscriptionId) ?? 0);
    if (since >= this.intervalMs && this.timer === undefined) {
      // Quiet for a while: write now, so that a lone event is checkpointed at once, as before.
      await this.flush();
      return;
    }
    this.timer ??= setTimeout(() => void this.flush(), Math.max(0, this.intervalMs - since)).unref();
  }

  /** Writes every pending checkpoint, one write at a time; a failed write is tried on the next flush. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(async () => {
      for (const [subscriptionId, position] of [...this.pending]) {
        if (this.pending.get(subscriptionId) === position) this.pending.delete(subscriptionId);
        try {
          await this.inner.store(subscriptionId, position);
          this.lastWrite.set(subscriptionId, Date.now());
        } catch (error) {
          // Never backwards: keep it unless a later position was handed over meanwhile.
          if (!this.pending.has(subscriptionId)) this.pending.set(subscriptionId, position);
          this.logger.warn({
            msg: 'checkpoint not written; trying again',
            subscriptionId,
            error: String(error),
          });
          this.timer ??= setTimeout(() => void this.flush(), this.intervalMs).unref();
        }
      }
    });
    return this.writing;
  }

  /** Stops the timer after writing what is pending (the service is closing). */
  async close(): Promise<void> {
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
