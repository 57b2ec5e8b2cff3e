/**
 * The statement of `readStream` (ADR 0057): named, so each connection parses and plans it once;
 * the services send it a few times per order. One per direction, each with the revision bound as
 * a condition of the index on (stream_name, stream_revision), so that the plan PostgreSQL keeps for
 * every call (generic) starts the index scan at the bound instead of filtering the stream's events
 * up to it. The stream's state and its events come from the same snapshot (one statement).
 */
import { eventColumns } from './rows';

/** Passed for `fromRevision` when none is given: the whole stream. */
const FIRST = '0';
const LAST = (2n ** 63n - 1n).toString();

function statement(forwards: boolean): string {
  const bound = forwards
    ? 'x.stream_revision >= greatest(s.truncate_before, $2::bigint)'
    : 'x.stream_revision >= s.truncate_before AND x.stream_revision <= $2::bigint';
  return `SELECT s.tombstoned, s.revision >= s.truncate_before AS visible, ${eventColumns()}
    FROM es.streams s
    LEFT JOIN LATERAL (
      SELECT * FROM es.events x
       WHERE x.stream_name = s.stream_name AND ${bound}
       ORDER BY x.stream_revision ${forwards ? 'ASC' : 'DESC'}
       LIMIT $3::bigint
    ) e ON true
   WHERE s.stream_name = $1::text`;
}

const FORWARDS = { name: 'es.read_stream/forwards', text: statement(true) };
const BACKWARDS = { name: 'es.read_stream/backwards', text: statement(false) };

/** The query config for `pool.query`: statement and values. */
export function readStreamQuery(
  streamName: string,
  fromRevision: bigint | undefined,
  maxCount: number,
  direction: 'forwards' | 'backwards',
): { name: string; text: string; values: unknown[] } {
  const forwards = direction === 'forwards';
  const from = fromRevision?.toString() ?? (forwards ? FIRST : LAST);
  const { name, text } = forwards ? FORWARDS : BACKWARDS;
  // Fields listed, not spread (ADR 0089).
  return { name, text, values: [streamName, from, maxCount] };
}
