import type { Pool, PoolClient } from 'pg';
import type { EventStore, Pacing, Position, RecordedEvent, Subscription } from '@prov/event-store';
import { BatchApplier, type QueueItem } from './batch-apply';
import type { Projection } from './projections/projection';
import { storeSharesDatabase } from './bulk-load';
import { ALL_PROJECTIONS, type ProjectorOptions } from './projector-options';
import { Replay, type ReplayOptions } from './replay';
import { assertSchemaName, ensureReadModelSchema, LIVE_SCHEMA } from './schema';

/** Events applied in one transaction at most (following the log). */
const BATCH = 500;
/** How long a position past events the filter dropped waits for events to be written with (ADR 0043). */
const CHECKPOINT_ONLY_DELAY_MS = 1_000;
/**
 * How often the live projector reads the log while commits keep coming (ADR 0068): four reads at
 * once after a quiet spell, as every subscription (a lone request shows at once), then one per
 * 100 ms instead of the store's 20. A read is a batch: its page, its statement and its
 * checkpoint cost the same for one order as for forty, and a row touched by several events of
 * one batch is written once. The read models lag by at most this much more under load.
 */
export const READ_MODEL_PACING: Pacing = { burst: 4, intervalMs: 100 };

export { READ_MODEL_CHANNEL } from './live-batches';
export { ALL_PROJECTIONS, type ProjectorLogger, type ProjectorOptions } from './projector-options';

/**
 * Applies the log to the read models, one transaction per event holding the rows and the
 * checkpoint together: after a crash the projector resumes exactly after the last event whose
 * rows were committed. Following the log is here; the batch transaction is BatchApplier's
 * (batch-apply.ts) and the rebuild's bulk replay is Replay's (replay.ts).
 */
export class Projector {
  private readonly schema: string;
  private readonly checkpointName: string;
  private readonly projections: readonly Projection[];
  private subscription?: Subscription;
  private running?: Promise<void>;
  private readonly batches: BatchApplier;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly options: ProjectorOptions = {},
  ) {
    this.schema = assertSchemaName(options.schema ?? LIVE_SCHEMA);
    this.checkpointName = options.checkpointName ?? 'read-models';
    this.projections = options.projections ?? ALL_PROJECTIONS;
    this.batches = new BatchApplier(pool, this.schema, this.checkpointName, this.projections, options, {
      copyFromStore: options.copyFromStore !== false && storeSharesDatabase(store, pool),
    });
  }

  get eventsHandled(): number {
    return this.batches.handled;
  }

  async checkpoint(client: Pool | PoolClient = this.pool): Promise<Position | undefined> {
    const { rows } = await client.query<{ position: string }>(
      `SELECT position FROM ${this.schema}.checkpoints WHERE projection = $1`,
      [this.checkpointName],
    );
    return rows[0]?.position as Position | undefined;
  }

  private async ensureSchema(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await ensureReadModelSchema(client, this.schema);
    } finally {
      client.release();
    }
  }

  /** Follows the log until `stop()`. Resolves once the subscription is running. */
  async start(): Promise<void> {
    await this.ensureSchema();
    const after = await this.checkpoint();
    const queue: QueueItem[] = [];
    let wake: (() => void) | undefined;
    let drained: (() => void) | undefined;
    let finished = false;
    this.subscription = this.store.subscribeToAll({
      after,
      filter: this.batches.filter,
      pacing: this.options.pacing ?? READ_MODEL_PACING,
      onCheckpoint: (position) => {
        queue.push({ position });
        wake?.();
      },
    });
    const subscription = this.subscription;
    // The subscription hands out one event at a time; applying them one transaction each is
    // what limits a rebuild. The reader fills a queue, the writer applies whatever has piled up
    // in one transaction (up to BATCH events), with a single checkpoint at its end.
    const reader = (async () => {
      try {
        for await (const event of subscription) {
          queue.push({ event, position: event.position });
          wake?.();
          if (queue.length >= 4 * BATCH) await new Promise<void>((resolve) => (drained = resolve));
        }
      } finally {
        finished = true;
        wake?.();
      }
    })();
    // Since when the queue holds only positions past events the filter dropped (see below).
    let positionsOnlySince: number | undefined;
    const writer = (async () => {
      for (;;) {
        if (queue.length === 0) {
          if (finished) return;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          // The reader hands a page over one event per microtask: let it finish the page, so that
          // the page is one batch, not its first event and then the rest (ADR 0043).
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        // A position past dropped events alone (another service's claim, say) would cost a write
        // of its own after most commits: it waits a moment for events, whose write carries it.
        // Losing it costs a restart re-reading those events, nothing else.
        if (!finished && queue.every((item) => item.event === undefined)) {
          positionsOnlySince ??= Date.now();
          const left = positionsOnlySince + CHECKPOINT_ONLY_DELAY_MS - Date.now();
          if (left > 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, left);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = undefined;
            continue;
          }
        }
        positionsOnlySince = undefined;
        await this.batches.apply(queue.splice(0, BATCH));
        if (queue.length < BATCH) drained?.();
      }
    })();
    this.running = Promise.all([reader, writer]).then(() => undefined);
    this.running.catch(async (error) => {
      this.options.logger?.error('projector stopped on an error', { error: String(error) });
      await subscription.close().catch(() => undefined);
      finished = true;
      wake?.();
      drained?.();
    });
  }

  /** Resolves when the subscription ends; rejects if it failed. */
  async done(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    await this.running?.catch(() => undefined);
  }

  /** Applies one event and the checkpoint in one transaction. */
  async handle(event: RecordedEvent): Promise<void> {
    await this.batches.apply([{ event, position: event.position }]);
  }

  /**
   * The replay path of a rebuild (see Replay): the log from the checkpoint in large pages until
   * the end of what is visible now; into a schema without a checkpoint, a bulk load. `start()`
   * then follows from where this stopped.
   */
  async replayToEnd(options: ReplayOptions = {}): Promise<void> {
    await this.ensureSchema();
    const from = await this.checkpoint();
    await new Replay(this.pool, this.store, this.schema, this.projections, this.options, this.batches).toEnd(
      from,
      options,
    );
  }
}
