import type { Pool, PoolClient } from 'pg';
import type { Position, RecordedEvent } from '@prov/event-store';
import { type BulkLoad, copiesFromStore } from './bulk-load';
import { LiveBatches, notification, probeStandDownLock, READ_MODEL_CHANNEL } from './live-batches';
import type { ApplyOptions, PlanOptions, Projection } from './projections/projection';
import type { ProjectorOptions } from './projector-options';
import { inTransaction } from './transaction';

/** An event to apply, or only a position to checkpoint (past events the filter dropped). */
export interface QueueItem {
  event?: RecordedEvent;
  position: Position;
}

/** How a batch is applied: the projections' options, and the bulk load it belongs to, if any. */
export interface BatchMode {
  apply: ApplyOptions;
  load?: BulkLoad;
  /** Events of this batch the fold did not apply, kept by the load once the batch commits. */
  notApplied?: Position[];
}

/**
 * Applies a batch of the log to the read models in one transaction, shared by the live
 * projection (which checkpoints every batch) and the replay (whose bulk load checkpoints once,
 * at its end).
 */
export class BatchApplier {
  /** Events applied so far. */
  handled = 0;
  readonly byPrefix: Array<[string, Projection]>;
  /** The live path: a batch in one statement (ADR 0043). */
  private readonly live: LiveBatches;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly checkpointName: string,
    projections: readonly Projection[],
    private readonly options: ProjectorOptions,
    plan: PlanOptions = {},
  ) {
    this.byPrefix = projections.flatMap((p) =>
      p.streamPrefixes.map((prefix) => [prefix, p] as [string, Projection]),
    );
    this.live = new LiveBatches(pool, schema, checkpointName, options, plan);
  }

  /** The log filter that gives the events of these projections. */
  get filter(): { streamNamePrefixes: string[] } {
    return { streamNamePrefixes: this.byPrefix.map(([prefix]) => prefix) };
  }

  /** Applies events (and checkpoint-only items) and the last position in one transaction. */
  async apply(items: QueueItem[], mode: BatchMode = { apply: {} }): Promise<void> {
    if (items.length === 0) return;
    const events = items
      .filter((item): item is Required<QueueItem> => item.event !== undefined)
      .map((item) => item.event);
    const last = items[items.length - 1].position;
    // A bulk load writes its checkpoint once, with the rows it holds until its end.
    if (mode.load && events.length === 0) return;
    if (!mode.load && (await this.live.apply(this.runsOf(events), events, last))) {
      this.handled += events.length;
      return;
    }
    // The exact path writes rows without the live path's cache knowing: it starts again empty.
    this.live.forget();
    const notApplied: Position[] = [];
    await inTransaction(this.pool, async (client) => {
      await probeStandDownLock(client, this.options.standDownLock?.());
      if (events.length === 0) {
        await this.writeCheckpoint(client, last);
        return;
      }
      // A bulk load commits its checkpoint only in its last transaction (finishBulkLoad): a crash
      // before it loses the whole load, which then starts again. Nobody reads the schema yet.
      if (mode.load) await client.query('SET LOCAL synchronous_commit = off');
      await this.applyEvents(client, events, { ...mode, notApplied });
      if (!mode.load) await this.writeCheckpoint(client, last, events.length);
      await client.query('SELECT pg_notify($1, $2)', [READ_MODEL_CHANNEL, notification(this.schema, events)]);
    });
    this.handled += events.length;
    if (mode.load) {
      mode.load.events += events.length;
      mode.load.notApplied.push(...notApplied);
      // A load by stream applies the log out of its order: the range is its lowest and highest.
      for (const { position } of events) {
        if (mode.load.first === undefined || position < mode.load.first) mode.load.first = position;
        if (mode.load.last === undefined || position > mode.load.last) mode.load.last = position;
      }
    }
  }

  /** The events of each projection, in log order; events of no projection are left out. */
  private runsOf(events: readonly RecordedEvent[]): Map<Projection, RecordedEvent[]> {
    const runs = new Map<Projection, RecordedEvent[]>();
    for (const event of events) {
      const projection = this.byPrefix.find(([prefix]) => event.streamName.startsWith(prefix))?.[1];
      if (!projection) continue;
      const run = runs.get(projection);
      if (run) run.push(event);
      else runs.set(projection, [event]);
    }
    return runs;
  }

  /**
   * Each projection gets its events of the batch in log order; projections write disjoint
   * tables, so the order between them does not matter.
   */
  private async applyEvents(
    client: PoolClient,
    events: readonly RecordedEvent[],
    mode: BatchMode,
  ): Promise<void> {
    const runs = this.runsOf(events);
    for (const [projection, run] of runs) {
      const loader = mode.load?.loaders.get(projection);
      if (loader) await loader.apply(client, run);
      else if (projection.applyMany)
        await projection.applyMany(client, this.schema, run, {
          ...mode.apply,
          copiedFromStore:
            mode.load?.fromStore && copiesFromStore(projection)
              ? (notApplied) => mode.notApplied?.push(...notApplied.map((e) => e.position))
              : undefined,
        });
      else for (const event of run) await projection.apply(client, this.schema, event);
    }
  }

  async writeCheckpoint(client: Pool | PoolClient, position: Position, count = 0): Promise<void> {
    await client.query(
      `INSERT INTO ${this.schema}.checkpoints (projection, position, events_handled, updated_at)
       VALUES ($1, $2, $3, now())
       ON CONFLICT (projection) DO UPDATE SET position = EXCLUDED.position,
         events_handled = ${this.schema}.checkpoints.events_handled + EXCLUDED.events_handled, updated_at = now()
       WHERE ${this.schema}.checkpoints.position COLLATE "C" < EXCLUDED.position COLLATE "C"`,
      [this.checkpointName, position, count],
    );
  }
}
