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
 * committed and nothing can be added there later, so pages read one after the other, each in its
 * own short statement, see one fixed log without holding a snapshot for the whole load.
 */
import type { Position, RecordedEvent } from '../core';
import { logGate } from './log-gate';
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

/** Where a page in stream order ended: the next page begins after this event. */
export interface StreamOrderCursor {
  streamName: string;
  revision: bigint;
}

interface LeanRow {
  stream_name: string;
  stream_revision: string;
  position: string;
  event_id: string;
  event_type: string;
  data: unknown;
  created_ms: number;
}

const LEAN_COLUMNS = `e.stream_name, e.stream_revision::text AS stream_revision,
  lpad(e.transaction_id::text, 20, '0') || ':' || lpad(e.global_position::text, 20, '0') AS position,
  e.event_id::text AS event_id, e.event_type, e.data,
  floor(extract(epoch FROM e.created_at) * 1000)::float8 AS created_ms`;

function toEvent(row: LeanRow): RecordedEvent {
  return {
    streamName: row.stream_name,
    revision: BigInt(row.stream_revision),
    position: row.position as Position,
    id: row.event_id,
    type: row.event_type,
    data: row.data,
    metadata: {},
    createdAt: new Date(row.created_ms),
  };
}

/** The bound every replay read stays under (see log-gate.ts); read once per load. */
export async function replayGate(store: PostgresEventStore): Promise<string> {
  return logGate(store.pool);
}

/**
 * A page of events in stream order (name, then revision) after `after`. A stream's events may
 * end one page and go on in the next. Within a stream, revision order is log order except when
 * a later revision's transaction got an id before an earlier one's: the consumer orders each
 * stream's events by position before folding them.
 */
export async function readStreamOrderPage(
  store: PostgresEventStore,
  options: ReplayReadOptions & { after?: StreamOrderCursor },
): Promise<{ events: RecordedEvent[]; next?: StreamOrderCursor }> {
  const { after } = options;
  const { rows } = await store.pool.query<LeanRow>(
    `SELECT ${LEAN_COLUMNS}
       FROM es.events e
      WHERE ${after ? '(e.stream_name, e.stream_revision) > ($4::text, $5::bigint)' : 'true'}
        AND EXISTS (SELECT 1 FROM unnest($1::text[]) p WHERE starts_with(e.stream_name, p))
        AND e.transaction_id < $2::text::xid8
      ORDER BY e.stream_name, e.stream_revision
      LIMIT $3`,
    [
      options.streamNamePrefixes,
      options.gate,
      options.maxCount,
      ...(after ? [after.streamName, after.revision.toString()] : []),
    ],
  );
  const events = rows.map(toEvent);
  const last = events[events.length - 1];
  return {
    events,
    next:
      events.length < options.maxCount ? undefined : { streamName: last.streamName, revision: last.revision },
  };
}

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
  const { rows } = await store.pool.query<LeanRow>(
    `WITH streams AS MATERIALIZED (
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
    [options.streamNamePrefixes, options.gate, options.maxCount, after.transactionId, after.globalPosition],
  );
  const events = rows.map(toEvent);
  return {
    events,
    next: events.length < options.maxCount ? undefined : events[events.length - 1].position,
  };
}
