/**
 * Lean reads of the log for a consumer that rebuilds its state from zero in the same database
 * (the read models' bulk load, ADR 0047). Two things differ from `readAll`:
 *
 * - Events come **grouped by stream** (stream name, then revision) when the consumer's rows
 *   depend on one stream each: a stream's events then arrive together, wherever the log spread
 *   them, and the consumer folds each stream once, holding nothing across the whole log. Or in
 *   log order, for the few events of consumers whose rows mix streams.
 * - Only what a fold reads is fetched and parsed: no metadata (`{}` on the events handed out),
 *   the position rendered by the server, the time as epoch milliseconds (no date parsing).
 *
 * Both read below one gate (`replayGate`, the log gate of every reader): everything under it is
 * committed and nothing can be added there later, so the two reads, and the pages of the log-order
 * one (each its own short statement), see one fixed log.
 */
import type { Position, RecordedEvent } from '../core';
import { LogGate } from './log-gate';
import type { PostgresEventStore } from './postgres-event-store';
import { fromPgPosition } from './rows';

export interface ReplayReadOptions {
  /** Events of streams whose name begins with one of these. */
  streamNamePrefixes: readonly string[];
  /** From `replayGate`: only events of transactions below it. */
  gate: string;
  /** Events per page at most. */
  maxCount: number;
}

/**
 * A row of LEAN_COLUMNS, as an array (`rowMode: 'array'`): pg then builds no object with a key per
 * column for each row, which cost the replaying process more than the fields themselves.
 */
type LeanRow = [
  streamName: string,
  revision: string,
  position: string,
  eventId: string,
  eventType: string,
  data: unknown,
  createdMs: number,
];

const LEAN_COLUMNS = `e.stream_name, e.stream_revision::text AS stream_revision,
  lpad(e.transaction_id::text, 20, '0') || ':' || lpad(e.global_position::text, 20, '0') AS position,
  e.event_id::text AS event_id, e.event_type, e.data,
  floor(extract(epoch FROM e.created_at) * 1000)::float8 AS created_ms`;

function toEvent(row: LeanRow): RecordedEvent {
  return {
    streamName: row[0],
    revision: BigInt(row[1]),
    position: row[2] as Position,
    id: row[3],
    type: row[4],
    data: row[5],
    metadata: {},
    createdAt: new Date(row[6]),
  };
}

/** The bound every replay read stays under (see log-gate.ts); read once per load. */
export async function replayGate(store: PostgresEventStore): Promise<string> {
  return new LogGate(store.pool).bound();
}

/** The events of a stream-order read, a page at a time; an empty page is its end. */
export interface StreamOrderReader {
  next(): Promise<RecordedEvent[]>;
  /** Ends the read (its transaction); safe to call more than once. */
  close(): Promise<void>;
}

/**
 * The log below the gate grouped by stream (name, then revision), read through one cursor in the
 * order of the stream index (`events_stream_revision_key`): no sort. A sort of the whole log
 * (which an earlier version asked for, `COLLATE "C"`) spilled the events' data to disk, about the
 * size of the log (600 MB at a million events), and cost the server more than writing the read
 * models; the index scan reads each event's page instead (docs/benchmarks.md, ADR 0055). Any
 * total order of the names groups a stream's events, so the index's collation serves. The
 * prefixes are one `^@ ANY` (starts_with) test the planner can estimate; with a semi-join over
 * `unnest` it expected a few thousand rows. Keyset pages on the stream index were tried first:
 * the planner scanned and sorted the whole table for every page (docs/benchmarks.md). The
 * cursor's transaction is read only and holds one snapshot for the read; within a stream,
 * revision order is log order except when a later revision's transaction got an id first (the
 * consumer orders by position).
 */
export async function openStreamOrderReader(
  store: PostgresEventStore,
  options: ReplayReadOptions,
): Promise<StreamOrderReader> {
  if (!/^\d+$/.test(options.gate)) throw new Error(`not a log gate: ${options.gate}`);
  const client = await store.pool.connect();
  let open = true;
  const close = async (error?: unknown) => {
    if (!open) return;
    open = false;
    try {
      await client.query(error ? 'ROLLBACK' : 'COMMIT');
      client.release();
    } catch (failure) {
      client.release(failure as Error);
    }
  };
  try {
    await client.query(`BEGIN READ ONLY`);
    // A plan that sorts after all (another planner, other statistics) may take this much memory
    // before it spills to disk.
    await client.query(`SET LOCAL work_mem = '${SORT_MEMORY}'`);
    // DECLARE takes no parameters: the prefixes are quoted here, the gate is digits (checked).
    const prefixes = options.streamNamePrefixes.map((p) => client.escapeLiteral(p)).join(', ');
    await client.query(
      `DECLARE replay_by_stream NO SCROLL CURSOR FOR
       SELECT ${LEAN_COLUMNS}
         FROM es.events e
        WHERE e.stream_name ^@ ANY (ARRAY[${prefixes}]::text[])
          AND e.transaction_id < '${options.gate}'::xid8
        ORDER BY e.stream_name, e.stream_revision`,
    );
  } catch (error) {
    await close(error);
    throw error;
  }
  return {
    async next() {
      if (!open) return [];
      try {
        const { rows } = await client.query<LeanRow>({
          text: `FETCH ${Number(options.maxCount)} FROM replay_by_stream`,
          rowMode: 'array',
        });
        if (rows.length === 0) await close();
        return rows.map(toEvent);
      } catch (error) {
        await close(error);
        throw error;
      }
    },
    close: () => close(),
  };
}

/** Memory the stream-order read's sort may take before it spills to disk. */
const SORT_MEMORY = '32MB';

/**
 * A page of events in log order after `after`, for streams with the given prefixes only. The
 * streams are found in the stream table and their events by the stream index, so a page costs
 * the events of those streams, not a scan of the whole log (they are few: synchronizations).
 */
export async function readLogOrderPage(
  store: PostgresEventStore,
  options: ReplayReadOptions & { after?: Position },
): Promise<{ events: RecordedEvent[]; next?: Position }> {
  const after = options.after ? fromPgPosition(options.after) : { transactionId: '0', globalPosition: '0' };
  const { rows } = await store.pool.query<LeanRow>({
    rowMode: 'array',
    text: `WITH streams AS MATERIALIZED (
       SELECT s.stream_name FROM es.streams s
        WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) p WHERE starts_with(s.stream_name, p)))
     SELECT ${LEAN_COLUMNS}
       FROM streams s
       CROSS JOIN LATERAL (
         SELECT * FROM es.events e0
          WHERE e0.stream_name = s.stream_name AND e0.transaction_id < $2::text::xid8
            AND (e0.transaction_id, e0.global_position) > ($4::text::xid8, $5::bigint)) e
      ORDER BY e.transaction_id, e.global_position
      LIMIT $3`,
    values: [
      options.streamNamePrefixes,
      options.gate,
      options.maxCount,
      after.transactionId,
      after.globalPosition,
    ],
  });
  const events = rows.map(toEvent);
  return {
    events,
    next: events.length < options.maxCount ? undefined : events[events.length - 1].position,
  };
}
