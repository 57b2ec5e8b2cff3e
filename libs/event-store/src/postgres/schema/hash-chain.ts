/**
 * Tamper evidence (ADR 0016): every event stores
 * hash = sha256(previous hash in its stream || type, data, metadata, revision), computed in the
 * append itself (single and group commit) from the stream row's last hash, so no read of the
 * previous event is needed. Existing rows are chained by the migration. A check needs only
 * each event and its predecessor: a changed event breaks its own hash.
 */
const hashFunction = `
CREATE FUNCTION es.event_hash(p_previous bytea, p_type text, p_data jsonb, p_metadata jsonb, p_revision bigint)
RETURNS bytea LANGUAGE sql IMMUTABLE AS $fn$
  SELECT sha256(coalesce(p_previous, '\\x'::bytea) || convert_to(
    p_type || chr(10) || p_data::text || chr(10) || p_metadata::text || chr(10) || p_revision::text, 'UTF8'))
$fn$;
`;

const columns = `
ALTER TABLE es.events ADD COLUMN hash bytea;
ALTER TABLE es.streams ADD COLUMN last_hash bytea NOT NULL DEFAULT '\\x'::bytea;
`;

/** Chains the rows written before this migration, stream by stream in revision order. */
const backfill = `
DO $do$
DECLARE
  r RECORD;
  v_stream text := NULL;
  v_hash bytea := '\\x'::bytea;
BEGIN
  FOR r IN SELECT global_position, stream_name, stream_revision, event_type, data, metadata
             FROM es.events ORDER BY stream_name, stream_revision LOOP
    IF v_stream IS DISTINCT FROM r.stream_name THEN
      IF v_stream IS NOT NULL THEN
        UPDATE es.streams SET last_hash = v_hash WHERE stream_name = v_stream;
      END IF;
      v_stream := r.stream_name;
      v_hash := '\\x'::bytea;
    END IF;
    v_hash := es.event_hash(v_hash, r.event_type, r.data, r.metadata, r.stream_revision);
    UPDATE es.events SET hash = v_hash WHERE global_position = r.global_position;
  END LOOP;
  IF v_stream IS NOT NULL THEN
    UPDATE es.streams SET last_hash = v_hash WHERE stream_name = v_stream;
  END IF;
END
$do$;
`;

/**
 * The insert of an append, chained: a recursive CTE carries the hash from event to event.
 * Migration 5 joined each step to the whole list of events, so an append of n events cost n²
 * (12,000 drift findings of one synchronization took 110 s, holding every other append of the
 * group commit); from migration 6 each step takes its event from the array by index.
 */
function chainedInsert(name: string, events: string, steps: 'by-join' | 'by-index'): string {
  const chain =
    steps === 'by-join'
      ? `chain (ord, hash) AS (
      SELECT 0::bigint, v_stream.last_hash
      UNION ALL
      SELECT c.ord + 1, es.event_hash(c.hash, ev.value ->> 'type', ev.value -> 'data',
                                      coalesce(ev.value -> 'metadata', '{}'), v_stream.revision + c.ord + 1)
        FROM chain c JOIN ev ON ev.ord = c.ord + 1
    )`
      : `chain (ord, hash) AS (
      SELECT 0::bigint, v_stream.last_hash
      UNION ALL
      SELECT c.ord + 1, es.event_hash(c.hash, ${events} -> c.ord::int ->> 'type', ${events} -> c.ord::int -> 'data',
                                      coalesce(${events} -> c.ord::int -> 'metadata', '{}'), v_stream.revision + c.ord + 1)
        FROM chain c WHERE c.ord < jsonb_array_length(${events})
    )`;
  return `WITH RECURSIVE ev AS (
      SELECT i.value, i.ord FROM jsonb_array_elements(${events}) WITH ORDINALITY AS i (value, ord)
    ), ${chain}, inserted AS (
      INSERT INTO es.events (stream_name, stream_revision, event_id, event_type, data, metadata, hash)
      SELECT ${name}, v_stream.revision + ev.ord, (ev.value ->> 'id')::uuid, ev.value ->> 'type',
             ev.value -> 'data', coalesce(ev.value -> 'metadata', '{}'), chain.hash
        FROM ev JOIN chain ON chain.ord = ev.ord
       ORDER BY ev.ord
      RETURNING es.events.global_position, es.events.stream_revision, es.events.hash
    )
    SELECT max(inserted.global_position), (array_agg(inserted.hash ORDER BY inserted.stream_revision DESC))[1]
      INTO v_position, v_last_hash FROM inserted;`;
}

/** Rewrites an append function of an earlier migration into its chained form. */
export function chainAppendFunction(
  sql: string,
  name: string,
  events: string,
  steps: 'by-join' | 'by-index' = 'by-index',
): string {
  const start = sql.indexOf('WITH inserted AS (');
  const endMarker = 'FROM inserted;';
  const end = sql.indexOf(endMarker, start) + endMarker.length;
  if (start < 0 || end < endMarker.length) throw new Error('append function without the expected insert');
  const chained = sql.slice(0, start) + chainedInsert(name, events, steps) + sql.slice(end);
  return chained
    .replace(/CREATE FUNCTION/, 'CREATE OR REPLACE FUNCTION')
    .replace('DECLARE\n', 'DECLARE\n  v_last_hash bytea;\n')
    .replace(
      `SET revision = v_stream.revision + v_count, updated_at = now()`,
      `SET revision = v_stream.revision + v_count, last_hash = v_last_hash, updated_at = now()`,
    );
}

/**
 * The first event of the page of streams after `p_after` (or of the one stream `p_stream`)
 * whose stored hash does not match its content and its predecessor's hash; and the last
 * stream of the page, to continue from.
 */
const verifyFunction = `
CREATE FUNCTION es.verify_chain(p_after text, p_streams int, p_stream text)
RETURNS TABLE (last_stream text, streams int, events bigint, bad_stream text, bad_revision bigint, bad_event_id uuid)
LANGUAGE sql STABLE AS $fn$
  WITH page AS (
    SELECT s.stream_name FROM es.streams s
     WHERE (p_stream IS NULL AND s.stream_name > coalesce(p_after, '')) OR s.stream_name = p_stream
     ORDER BY s.stream_name LIMIT p_streams
  ), checked AS (
    SELECT e.stream_name, e.stream_revision, e.event_id,
           e.hash IS DISTINCT FROM es.event_hash(
             lag(e.hash, 1, '\\x'::bytea) OVER (PARTITION BY e.stream_name ORDER BY e.stream_revision),
             e.event_type, e.data, e.metadata, e.stream_revision) AS broken
      FROM es.events e JOIN page p ON p.stream_name = e.stream_name
  ), bad AS (
    SELECT * FROM checked WHERE broken ORDER BY stream_name, stream_revision LIMIT 1
  )
  SELECT (SELECT max(stream_name) FROM page), (SELECT count(*)::int FROM page), (SELECT count(*) FROM checked),
         bad.stream_name, bad.stream_revision, bad.event_id
    FROM (SELECT 1) one LEFT JOIN bad ON true
$fn$;
`;

export function hashChainMigration(singleAppend: string, batchAppend: string): string {
  return (
    hashFunction +
    columns +
    backfill +
    chainAppendFunction(singleAppend, 'p_stream_name', 'p_events', 'by-join') +
    chainAppendFunction(batchAppend, 'v_name', 'v_events', 'by-join') +
    verifyFunction
  );
}

/** Migration 6: the same append functions, chained in linear time (see chainedInsert). */
export function linearChainMigration(singleAppend: string, batchAppend: string): string {
  return (
    chainAppendFunction(singleAppend, 'p_stream_name', 'p_events', 'by-index') +
    chainAppendFunction(batchAppend, 'v_name', 'v_events', 'by-index')
  );
}
