import type { Pool } from 'pg';
import { type EventStore, type Position, type PostgresEventStore, replayGate } from '@prov/event-store';
import type { BatchApplier, QueueItem } from './batch-apply';
import {
  beginBulkLoad,
  beginStreamLoad,
  type BulkLoad,
  copyFromStore,
  restoreDeferredIndexes,
  storeSharesDatabase,
} from './bulk-load';
import { copyFromStoreAlongside, type StoreCopyAlongside } from './copy-alongside';
import { probeStandDownLock } from './live-batches';
import type { Projection } from './projections/projection';
import type { ProjectorOptions } from './projector-options';
import { loadByStream, StreamOrderConflict } from './stream-load';
import { inTransaction } from './transaction';

/** Events applied in one transaction at most by the exact path of a replay. */
const EXACT_BATCH = 2_000;
/** Events read and applied in one transaction by the bulk replay of an empty schema. */
const BULK_PAGE = 5_000;
/** PostgreSQL's unique_violation: a bulk batch that met a row it took for new. */
const UNIQUE_VIOLATION = '23505';

export interface ReplayOptions {
  pageSize?: number;
  /** false forces the exact path (the benchmark's same-run comparison). */
  bulk?: boolean;
}

/**
 * The replay path of a rebuild: reads the log from the checkpoint in large pages, reading the
 * next page while the current one is written, until the end of what is visible now. The live
 * projection then follows from where this stopped. Same folds and checkpoints as the live path.
 *
 * Into a schema without a checkpoint (empty: a rebuild's shadow) it is a bulk load: a page per
 * transaction, the rows of streams that begin in the page appended with COPY, and the
 * secondary indexes built once at the end instead of row by row.
 */
export class Replay {
  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly schema: string,
    private readonly projections: readonly Projection[],
    private readonly options: ProjectorOptions,
    private readonly batches: BatchApplier,
  ) {}

  /** Replays what follows `from` (the schema's checkpoint; undefined: none). */
  async toEnd(from: Position | undefined, options: ReplayOptions = {}): Promise<void> {
    const bulk = from === undefined && options.bulk !== false;
    const size = options.pageSize ?? BULK_PAGE;
    const fromStore = this.options.copyFromStore !== false && storeSharesDatabase(this.store, this.pool);
    if (bulk && fromStore && (await this.byStream(size))) return;
    const load = bulk
      ? await beginBulkLoad(this.pool, this.schema, this.projections, {
          fromStore,
          heldAtMost: this.options.bulkLoadHeldAtMost,
        })
      : undefined;
    let last: Position | undefined;
    const filter = this.batches.filter;
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
        for (let i = 0; i < items.length; i += EXACT_BATCH)
          await this.batches.apply(items.slice(i, i + EXACT_BATCH));
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
  private async byStream(size: number): Promise<boolean> {
    const handled = this.batches.handled;
    const store = this.store as PostgresEventStore;
    const load = await beginStreamLoad(this.pool, this.schema);
    const gate = await replayGate(store);
    const alongside = copyFromStoreAlongside(this.pool, this.schema, this.projections, gate);
    try {
      const last = await loadByStream(
        store,
        this.projections,
        size,
        (events) =>
          this.batches.apply(
            events.map((event) => ({ event, position: event.position })),
            { apply: { bulk: true }, load },
          ),
        gate,
      );
      await this.finishBulkLoad(load, last, alongside);
    } catch (error) {
      await alongside?.drop();
      if (!(error instanceof StreamOrderConflict)) throw error;
      this.options.logger?.log('a load by stream met a row two streams write; loading in log order', {
        error: String(error),
      });
      this.batches.handled = handled;
      await beginStreamLoad(this.pool, this.schema);
      return false;
    }
    await restoreDeferredIndexes(this.pool, this.schema);
    return true;
  }

  /**
   * The last transaction of a bulk load: the rows held until now, and the checkpoint. The rows
   * copied alongside the load (ADR 0079) are committed first when every event was applied (else
   * rolled back and copied here, without those the load left out); committed without the
   * checkpoint, they are what the next load discards.
   */
  private async finishBulkLoad(
    load: BulkLoad,
    last: Position | undefined,
    alongside?: StoreCopyAlongside,
  ): Promise<void> {
    const copied = alongside !== undefined && load.notApplied.length === 0;
    if (copied) await alongside.keep();
    else await alongside?.drop();
    await inTransaction(this.pool, async (client) => {
      await probeStandDownLock(client, this.options.standDownLock?.());
      for (const loader of load.loaders.values()) await loader.flush(client);
      if (!copied) await copyFromStore(client, this.schema, this.projections, load);
      if (last) await this.batches.writeCheckpoint(client, last, load.events);
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
      await this.batches.apply(items, { apply: { bulk: true }, load });
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      this.options.logger?.log('a bulk page met a row it took for new; applying it again by the exact path', {
        error: String(error),
      });
      // Rows held in memory stay there: the loaders skip the events they applied already.
      await this.batches.apply(items, { apply: {}, load });
    }
  }
}
