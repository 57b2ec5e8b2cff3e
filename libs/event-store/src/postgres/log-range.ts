/**
 * A stretch of the log as SQL over the store's own table, for a consumer in the same database
 * that copies events with the server instead of reading them into the process and writing them
 * back (the read models' bulk load, ADR 0038). The columns are those a consumer would otherwise
 * take from the RecordedEvent: `recorded_at` is truncated to milliseconds like a JavaScript Date.
 */
import type { Position } from '../core';
import { fromPgPosition } from './rows';

export interface LogRangeQuery {
  /** Selects stream_name, stream_revision, event_id (text), event_type, data, metadata, recorded_at. */
  sql: string;
  params: unknown[];
}

export interface LogRangeOptions {
  /** Only events of streams whose name begins with this. */
  streamNamePrefix: string;
  /** Events of the range to leave out (a consumer skipped them), by their positions. */
  exclude?: readonly Position[];
  /** Number of the first parameter (`$n`) the query uses; default 1. */
  firstParameter?: number;
}

/** The columns of LogRangeQuery from the store's table (`e`). */
const LOG_COLUMNS = `SELECT e.stream_name, e.stream_revision, e.event_id::text AS event_id, e.event_type, e.data,
                 e.metadata, date_trunc('milliseconds', e.created_at) AS recorded_at
            FROM es.events e`;

/** Events from `first` to `last`, both included (positions this store handed out). */
export function logRangeQuery(first: Position, last: Position, options: LogRangeOptions): LogRangeQuery {
  const from = fromPgPosition(first);
  const to = fromPgPosition(last);
  const n = options.firstParameter ?? 1;
  return {
    sql: `${LOG_COLUMNS}
           WHERE (e.transaction_id, e.global_position) >= ($${n}::text::xid8, $${n + 1}::bigint)
             AND (e.transaction_id, e.global_position) <= ($${n + 2}::text::xid8, $${n + 3}::bigint)
             AND starts_with(e.stream_name, $${n + 4}) AND e.global_position <> ALL ($${n + 5}::bigint[])`,
    params: [
      from.transactionId,
      from.globalPosition,
      to.transactionId,
      to.globalPosition,
      options.streamNamePrefix,
      (options.exclude ?? []).map((position) => fromPgPosition(position).globalPosition),
    ],
  };
}

/**
 * Every event below a log gate (`replayGate`) of streams whose name begins with the prefix: what a
 * load from zero below that gate reads of them, in no particular order. The server scans the table
 * once; a consumer can copy these while it reads the same events by stream.
 */
export function logBelowGateQuery(
  gate: string,
  options: Pick<LogRangeOptions, 'streamNamePrefix' | 'firstParameter'>,
): LogRangeQuery {
  const n = options.firstParameter ?? 1;
  return {
    sql: `${LOG_COLUMNS}
           WHERE e.transaction_id < $${n}::text::xid8 AND starts_with(e.stream_name, $${n + 1})`,
    params: [gate, options.streamNamePrefix],
  };
}

/**
 * LogRangeQuery's columns for the events that `keys` lists: an SQL table expression aliased `k`
 * with a column `global_position bigint` holding {@link logEventKey}s. For a consumer that copies
 * events it has read, by the server, in a statement of its own (the live projector's history, ADR 0087).
 */
export function logEventsSql(keys: string): string {
  return `${LOG_COLUMNS} JOIN ${keys} ON e.global_position = k.global_position`;
}

/** The key of an event this store handed out, for {@link logEventsSql}: its global position, as text. */
export function logEventKey(position: Position): string {
  return fromPgPosition(position).globalPosition;
}
