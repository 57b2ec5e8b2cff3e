import type { Pool, PoolClient } from 'pg';
import type { Position, RecordedEvent } from '@prov/event-store';
import { StandDownForReplay, writeLive } from './live-write';
import type { PlanOptions, Projection } from './projections/projection';
import { StateCache } from './projections/state-cache';

/** Channel on which the projector announces committed read-model changes (for live views). */
export const READ_MODEL_CHANNEL = 'prov_read_model_changed';

/** What a batch announces on READ_MODEL_CHANNEL (the console's live views). */
export function notification(schema: string, events: readonly RecordedEvent[]): string {
  // The first 50 streams of the batch: a bulk load's batches have thousands (ADR 0062).
  const streams: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < events.length && streams.length < 50; i++)
    if (!seen.has(events[i].streamName)) {
      seen.add(events[i].streamName);
      streams.push(events[i].streamName);
    }
  return JSON.stringify({
    schema,
    streamNames: streams,
    streamName: streams[0],
    type: events[events.length - 1].type,
    count: events.length,
  });
}

/** Inside a write transaction: stops with StandDownForReplay when `lock` is taken (undefined: no probe). */
export async function probeStandDownLock(client: PoolClient, lock: string | undefined): Promise<void> {
  if (lock === undefined) return;
  const { rows } = await client.query<{ free: boolean }>(
    'SELECT pg_try_advisory_xact_lock_shared(hashtext($1)) AS free',
    [lock],
  );
  if (!rows[0].free) throw new StandDownForReplay();
}

export interface LiveBatchOptions {
  standDownLock?: () => string | undefined;
  logger?: { log(message: string, context?: Record<string, unknown>): void };
}

/**
 * The projector's live path (ADR 0043): when every projection of a batch can plan its writes,
 * their rows are read without a lock, or taken from the states this path wrote last, and written
 * with the checkpoint and the notification in one statement (`writeLive`).
 */
export class LiveBatches {
  /** The states the live path last wrote, per projection. */
  private readonly caches = new Map<Projection, StateCache>();

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly checkpointName: string,
    private readonly options: LiveBatchOptions,
    private readonly plan: PlanOptions = {},
  ) {}

  /**
   * Writes the batch (the events of each projection, all `events`, the position to checkpoint).
   * False when it wrote nothing because a projection cannot plan or a row changed since it was
   * read: the caller then applies the batch by the exact path, in a transaction.
   */
  async apply(
    runs: ReadonlyMap<Projection, readonly RecordedEvent[]>,
    events: readonly RecordedEvent[],
    last: Position,
  ): Promise<boolean> {
    if ([...runs.keys()].some((projection) => !projection.planMany)) return false;
    const client = await this.pool.connect();
    try {
      const plans = [];
      for (const [projection, run] of runs) {
        const cache = this.caches.get(projection) ?? new StateCache();
        this.caches.set(projection, cache);
        plans.push(await projection.planMany!(client, this.schema, run, cache, this.plan));
      }
      const written = await writeLive(client, {
        schema: this.schema,
        plans,
        checkpoint: { name: this.checkpointName, position: last, events: events.length },
        standDownLock: this.options.standDownLock?.(),
        notify:
          events.length > 0
            ? { channel: READ_MODEL_CHANNEL, payload: notification(this.schema, events) }
            : undefined,
      });
      if (!written.lockFree) throw new StandDownForReplay();
      if (written.fresh) for (const plan of plans) plan.keep();
      else {
        this.options.logger?.log(
          'rows changed since the live batch read them; applying it by the exact path',
        );
        this.forget();
      }
      return written.fresh;
    } catch (error) {
      // Whether a failed statement committed is not always known: nothing kept is trusted.
      this.forget();
      throw error;
    } finally {
      client.release();
    }
  }

  /** Lets go of every kept state (the exact path writes rows this cache does not see). */
  forget(): void {
    for (const cache of this.caches.values()) cache.clear();
  }
}
