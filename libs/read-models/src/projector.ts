// Over 300 lines: one class whose live, bulk-replay and guard paths share the same batch
// transaction and queue; the pieces that stand alone (bulk load, folds, projections, the live
// path's statement in live-batches.ts and live-write.ts) live beside it.
import type { Pool, PoolClient } from 'pg';
import type {
  EventStore,
  Position,
  PostgresEventStore,
  RecordedEvent,
  Subscription,
} from '@prov/event-store';
import { assignmentProjection } from './projections/assignment.projection';
import { identityProjection } from './projections/identity.projection';
import { jobProjection } from './projections/job.projection';
import {
  beginBulkLoad,
  beginStreamLoad,
  type BulkLoad,
  copiesFromStore,
  copyFromStore,
  restoreDeferredIndexes,
  storeSharesDatabase,
} from './bulk-load';
import type { ApplyOptions, Projection } from './projections/projection';
import { synchronizationProjection } from './projections/synchronization.projection';
import { loadByStream, StreamOrderConflict } from './stream-load';
import { assertSchemaName, ensureReadModelSchema, LIVE_SCHEMA } from './schema';
import { inTransaction } from './transaction';
import { LiveBatches, notification, probeStandDownLock, READ_MODEL_CHANNEL } from './live-batches';

/** Events applied in one transaction at most (following the log). */
const BATCH = 500;
/** How long a position past events the filter dropped waits for events to be written with (ADR 0043). */
const CHECKPOINT_ONLY_DELAY_MS = 1_000;
/** Events read and applied in one transaction by the bulk replay of an empty schema. */
const BULK_PAGE = 5_000;
/** PostgreSQL's unique_violation: a bulk batch that met a row it took for new. */
const UNIQUE_VIOLATION = '23505';

interface QueueItem {
  event?: RecordedEvent;
  position: Position;
}

export const ALL_PROJECTIONS: readonly Projection[] = [
  identityProjection,
  assignmentProjection,
  jobProjection,
  synchronizationProjection,
];

export { READ_MODEL_CHANNEL } from './live-batches';

export interface ProjectorLogger {
  log(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface ProjectorOptions {
  schema?: string;
  checkpointName?: string;
  projections?: readonly Projection[];
  logger?: ProjectorLogger;
  /**
   * Asked before each write: an advisory lock that must be free, probed shared in the write's own
   * transaction (undefined: no probe). Taken, the write is rolled back and the projector stops
   * with {@link StandDownForReplay} (the live one stands down for a replay run by another copy,
   * ADR 0030).
   */
  standDownLock?: () => string | undefined;
  /**
   * Lets a bulk load copy rows that repeat events (the history) from the store's table when the
   * store is the PostgreSQL adapter on this pool (default true); false keeps every row on the
   * generic path, as with any other store (ADR 0038).
   */
  copyFromStore?: boolean;
  /** States a bulk load holds in memory per projection before it writes them (tests); default: the projection's budget. */
  bulkLoadHeldAtMost?: number;
}

/** How a batch is applied: the projections' options, and the bulk load it belongs to, if any. */
interface BatchMode {
  apply: ApplyOptions;
  load?: BulkLoad;
  /** Events of this batch the fold did not apply, kept by the load once the batch commits. */
  notApplied?: Position[];
}

/**
 * Applies the log to the read models, one transaction per event holding the rows and the
 * checkpoint together: after a crash the projector resumes exactly after the last event whose
 * rows were committed.
 */
export class Projector {
  private readonly schema: string;
  private readonly checkpointName: string;
  private readonly projections: readonly Projection[];
  private readonly byPrefix: Array<[string, Projection]>;
  private subscription?: Subscription;
  private running?: Promise<void>;
  private handled = 0;
  /** The live path: a batch in one statement (ADR 0043). */
  private readonly live: LiveBatches;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly options: ProjectorOptions = {},
  ) {
    this.schema = assertSchemaName(options.schema ?? LIVE_SCHEMA);
    this.checkpointName = options.checkpointName ?? 'read-models';
    this.projections = options.projections ?? ALL_PROJECTIONS;
    this.byPrefix = this.projections.flatMap((p) =>
      p.streamPrefixes.map((prefix) => [prefix, p] as [string, Projection]),
    );
    this.live = new LiveBatches(pool, this.schema, this.checkpointName, options);
  }

  get eventsHandled(): number {
    return this.handled;
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
      filter: { streamNamePrefixes: this.byPrefix.map(([prefix]) => prefix) },
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
        await this.applyBatch(queue.splice(0, BATCH));
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
    await this.applyBatch([{ event, position: event.position }]);
  }

  /** Applies events (and checkpoint-only items) and the last position in one transaction. */
  private async applyBatch(items: QueueItem[], mode: BatchMode = { apply: {} }): Promise<void> {
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

  /**
   * The replay path of a rebuild: reads the log from the checkpoint in large pages, reading the
   * next page while the current one is written, until the end of what is visible now. `start()`
   * then follows from where this stopped. Same folds and checkpoints as the live path.
   *
   * Into a schema without a checkpoint (empty: a rebuild's shadow) it is a bulk load: a page per
   * transaction, the rows of streams that begin in the page appended with COPY, and the
   * secondary indexes built once at the end instead of row by row.
   */
  async replayToEnd(options: { pageSize?: number; bulk?: boolean } = {}): Promise<void> {
    await this.ensureSchema();
    const from = await this.checkpoint();
    // `bulk: false` forces the exact path (the benchmark's same-run comparison).
    const bulk = from === undefined && options.bulk !== false;
    const size = options.pageSize ?? (bulk ? BULK_PAGE : 5_000);
    const fromStore = this.options.copyFromStore !== false && storeSharesDatabase(this.store, this.pool);
    if (bulk && fromStore && (await this.replayByStream(size))) return;
    const load = bulk
      ? await beginBulkLoad(this.pool, this.schema, this.projections, {
          fromStore,
          heldAtMost: this.options.bulkLoadHeldAtMost,
        })
      : undefined;
    let last: Position | undefined;
    const filter = { streamNamePrefixes: this.byPrefix.map(([prefix]) => prefix) };
    const read = (after: Position | undefined) => this.store.readAll({ after, maxCount: size, filter });
    let page = await read(from);
    for (;;) {
      const next = page.isEnd || !page.lastPosition ? undefined : read(page.lastPosition);
      // A failed read ahead must not go unhandled while this page is written; it is awaited below.
      next?.catch(() => undefined);
      const items: QueueItem[] = page.events.map((event) => ({ event, position: event.position }));
      if (page.lastPosition && items[items.length - 1]?.position !== page.lastPosition)
        items.push({ position: page.lastPosition });
      last = items[items.length - 1]?.position ?? last;
      if (load) await this.applyBulk(items, load);
      else
        for (let i = 0; i < items.length; i += BATCH * 4)
          await this.applyBatch(items.slice(i, i + BATCH * 4));
      if (!next) break;
      page = await next;
    }
    if (load) {
      await this.finishBulkLoad(load, last);
      await restoreDeferredIndexes(this.pool, this.schema);
    }
  }

  /**
   * The bulk load by stream (ADR 0047), when the store is PostgreSQL in this database: the log
   * grouped by stream, each stream folded once. False when two streams turned out to write one
   * row: the caller then loads in log order, as replays did before (see StreamOrderConflict).
   */
  private async replayByStream(size: number): Promise<boolean> {
    const handled = this.handled;
    const load = await beginStreamLoad(this.pool, this.schema);
    try {
      const last = await loadByStream(this.store as PostgresEventStore, this.projections, size, (events) =>
        this.applyBatch(
          events.map((event) => ({ event, position: event.position })),
          { apply: { bulk: true }, load },
        ),
      );
      await this.finishBulkLoad(load, last);
    } catch (error) {
      if (!(error instanceof StreamOrderConflict)) throw error;
      this.options.logger?.log('a load by stream met a row two streams write; loading in log order', {
        error: String(error),
      });
      this.handled = handled;
      await beginStreamLoad(this.pool, this.schema);
      return false;
    }
    await restoreDeferredIndexes(this.pool, this.schema);
    return true;
  }

  /** The last transaction of a bulk load: the rows held until now, and the checkpoint. */
  private async finishBulkLoad(load: BulkLoad, last: Position | undefined): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await probeStandDownLock(client, this.options.standDownLock?.());
      for (const loader of load.loaders.values()) await loader.flush(client);
      await copyFromStore(client, this.schema, this.projections, load);
      if (last) await this.writeCheckpoint(client, last, load.events);
    });
  }

  /** A bulk page; then the loaders past their memory budget write what they hold and let go. */
  private async applyBulk(items: QueueItem[], load: BulkLoad): Promise<void> {
    await this.applyBulkPage(items, load);
    for (const loader of load.loaders.values())
      if (loader.full()) await inTransaction(this.pool, (client) => loader.flush(client));
  }

  /**
   * A bulk page in one transaction. Should a row taken for new exist after all (a stream whose
   * revision 0 came after a later revision of it), the page is applied again by the exact path,
   * which looks every row up.
   */
  private async applyBulkPage(items: QueueItem[], load: BulkLoad): Promise<void> {
    try {
      await this.applyBatch(items, { apply: { bulk: true }, load });
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      this.options.logger?.log('a bulk page met a row it took for new; applying it again by the exact path', {
        error: String(error),
      });
      // Rows held in memory stay there: the loaders skip the events they applied already.
      await this.applyBatch(items, { apply: {}, load });
    }
  }

  private async writeCheckpoint(client: Pool | PoolClient, position: Position, count = 0): Promise<void> {
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
