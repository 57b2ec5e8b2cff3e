import type { PoolClient } from 'pg';
import type { RecordedEvent } from '@prov/event-store';
import type { StateCache } from './state-cache';

/**
 * A projection turns one stored event into read-model rows. It runs inside the projector's
 * transaction (the checkpoint is written in the same one) against a schema that is either
 * the live one or a shadow being rebuilt.
 */
export interface Projection {
  readonly name: string;
  /** Stream-name prefixes (categories with their dash) this projection reads. */
  readonly streamPrefixes: readonly string[];
  apply(client: PoolClient, schema: string, event: RecordedEvent): Promise<void>;
  /**
   * Applies a run of this projection's events, in log order, with the same result as applying
   * them one by one; lets a projection write a batch with a few statements instead of a few per event.
   */
  applyMany?(
    client: PoolClient,
    schema: string,
    events: readonly RecordedEvent[],
    options?: ApplyOptions,
  ): Promise<void>;
  /**
   * A bulk load of this projection that holds its rows' states in memory across the load's
   * pages and writes each row once, at the end, instead of rewriting a row every page that
   * meets its stream again (ADR 0038). Without it a bulk load uses `applyMany`. `heldAtMost`:
   * states held before it writes them and lets go (its own memory budget when not given).
   */
  startBulkLoad?(client: PoolClient, schema: string, heldAtMost?: number): Promise<BulkLoader>;
  /**
   * Writes the rows that repeat events (the history) from a query over the store's table, in a
   * bulk load that left them out (`ApplyOptions.copiedFromStore`, ADR 0038), and the key the load
   * dropped for them (ADR 0079).
   */
  copyFromStore?(client: PoolClient, schema: string, events: StoreEventsQuery): Promise<void>;
  /**
   * Folds a run of this projection's events like `applyMany` but writes nothing: returns the
   * writes and the stored revisions the fold started from, so that the live projector sends the
   * writes of every projection of a batch and its checkpoint as one statement (ADR 0043). The
   * rows are read without a lock; that statement locks them and writes nothing unless their
   * revisions are still those. States in `cache` are folded onto without reading their rows.
   */
  planMany?(
    client: PoolClient,
    schema: string,
    events: readonly RecordedEvent[],
    cache?: StateCache,
    options?: PlanOptions,
  ): Promise<LivePlan>;
  /**
   * Set when every row of this projection is built from the events of one stream alone, in that
   * stream's order: a bulk load may then fold the log stream by stream (ADR 0047). `keys` names
   * the rows an event writes that are not keyed by its stream (an assignment's orders); such a
   * load checks that no two streams write one, and loads in log order otherwise.
   */
  readonly byStream?: { keys?: (event: RecordedEvent) => readonly string[] };
}

/** One multi-row write: `sql` reads its rows from `jsonb_to_recordset($1::jsonb)` (its only parameter). */
export interface RowsWrite {
  sql: string;
  rows: readonly object[];
}

export interface PlanOptions {
  /**
   * The store is the PostgreSQL adapter in the read models' own database: rows that repeat events
   * (the history) are copied by the server from the store's table in the plan's statement, by
   * the events' keys, instead of sending their payloads back from this process (ADR 0087).
   */
  copyFromStore?: boolean;
}

/** What a batch of one projection writes (see `planMany`). */
export interface LivePlan {
  writes: RowsWrite[];
  /** The table the fold read its states from, its key column, and each stream's stored revision (null: no row). */
  read: { table: string; key: string; revisions: Record<string, string | null> };
  /** Keeps the rows' new states in the cache the plan was given: called once the write committed. */
  keep(): void;
}

/**
 * Sends a write (see RowsWrite) with its rows as one JSON document read by jsonb_to_recordset:
 * pg's text[]/jsonb[] parameters escape every character of every element in JavaScript, which
 * cost more than the writes.
 */
export async function writeRows(client: PoolClient, write: RowsWrite): Promise<void> {
  if (write.rows.length === 0) return;
  await client.query(write.sql, [JSON.stringify(write.rows)]);
}

export interface BulkLoader {
  /**
   * Folds a run of this projection's events, in log order, into the states held, reading back
   * the rows it let go of (in the page's transaction, which may be rolled back and applied again:
   * events it has folded already are skipped, by revision).
   */
  apply(client: PoolClient, events: readonly RecordedEvent[]): Promise<void>;
  /** True when it holds more than its memory budget: the load then has it flush between pages. */
  full(): boolean;
  /** Writes every held row that changed and lets go of them (last: in the load's last transaction). */
  flush(client: PoolClient): Promise<void>;
}

/**
 * Events of the store as a SELECT over its table: stream_name, stream_revision, event_id,
 * event_type, data, metadata, recorded_at (see logRangeQuery of the PostgreSQL adapter).
 */
export interface StoreEventsQuery {
  sql: string;
  params: unknown[];
}

export interface ApplyOptions {
  /**
   * A bulk load into a schema that was empty when it began (the replay of a rebuild): a stream
   * whose first event in the batch has revision 0 has no row yet, so its rows may be appended
   * with COPY without being looked up. A wrong guess fails the batch (a duplicate key), and the
   * projector then applies it again without this option.
   */
  bulk?: boolean;
  /**
   * Set in a bulk load when the store is the PostgreSQL adapter in the read models' own
   * database: the projection writes no rows that repeat events (the history) and reports here
   * the events its fold did not apply; the load copies the others with the server from the
   * store's table (`copyFromStore`), without their payloads passing through this process
   * (ADR 0038): at its end, or in a load by stream while it folds (ADR 0079).
   */
  copiedFromStore?: (notApplied: readonly RecordedEvent[]) => void;
}

export function streamId(streamName: string, prefix: string): string {
  return streamName.slice(prefix.length);
}

/**
 * A projection of one stream category written a batch at a time: a single event is a batch of
 * one, so live and replay take the same path.
 */
export function batchProjection(
  name: string,
  prefix: string,
  applyMany: NonNullable<Projection['applyMany']>,
  more: Pick<Projection, 'startBulkLoad' | 'copyFromStore' | 'planMany' | 'byStream'> = {},
): Projection {
  return {
    name,
    streamPrefixes: [prefix],
    apply: (client, schema, event) => applyMany(client, schema, [event]),
    applyMany,
    ...more,
  };
}
