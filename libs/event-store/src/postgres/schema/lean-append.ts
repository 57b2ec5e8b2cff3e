/**
 * Migration 7 (ADR 0041): `es.append_batch` with the same arguments, rows, verdicts and hashes as
 * migration 6, rewritten from it (so the two cannot drift apart) to do less per append:
 * - no `pg_notify`: the store wakes listeners after the commit, in a transaction of its own
 *   (commit-notifier.ts), because a notifying commit holds a cluster-wide lock through its WAL
 *   flush, so every group commit used to flush alone;
 * - the stream row is locked at once and only created (then locked) when it is missing;
 * - the idempotency lookup probes the (stream, event id) index once per event; it used to hash-join
 *   the append's ids with every event of the stream (a generic plan made when streams were short);
 * - the hash is computed in the statement (the formula of `es.event_hash`, whose body PostgreSQL
 *   cannot inline, so each event paid a call of a SQL function), and a single event, the common
 *   append, is hashed and inserted without the recursive chain;
 * - a written append's row leaves by `RETURN NEXT` rather than by a query.
 */
import { chainAppendFunction } from './hash-chain';

const name = 'migration 7';

/** `sql` with `from` replaced by `to`; throws if the function text has no `from`. */
export function edit(migration: string, sql: string, from: string, to: string): string {
  if (!sql.includes(from)) throw new Error(`${migration}: the append function has no "${from.trim()}"`);
  return sql.replace(from, to);
}

const lockOrCreate = `
    SELECT * INTO v_stream FROM es.streams s WHERE s.stream_name = v_name FOR UPDATE;
    IF NOT FOUND THEN
      INSERT INTO es.streams (stream_name) VALUES (v_name) ON CONFLICT DO NOTHING;
      SELECT * INTO v_stream FROM es.streams s WHERE s.stream_name = v_name FOR UPDATE;
    END IF;`;

/** `es.event_hash(previous, type, data, metadata, revision)` written out (hash-chain.ts). */
export const eventHashSql = (
  previous: string,
  type: string,
  data: string,
  metadata: string,
  revision: string,
) =>
  `sha256(coalesce(${previous}, '\\x'::bytea) || convert_to((${type}) || chr(10) || (${data})::text || chr(10) ||
              (${metadata})::text || chr(10) || (${revision})::text, 'UTF8'))`;

const singleInsert = `IF v_count = 1 THEN
      v_event := v_events -> 0;
      v_metadata := coalesce(v_event -> 'metadata', '{}');
      INSERT INTO es.events (stream_name, stream_revision, event_id, event_type, data, metadata, hash)
      VALUES (v_name, v_stream.revision + 1, (v_event ->> 'id')::uuid, v_event ->> 'type', v_event -> 'data',
              v_metadata, ${eventHashSql('v_stream.last_hash', "v_event ->> 'type'", "v_event -> 'data'", 'v_metadata', 'v_stream.revision + 1')})
      RETURNING es.events.global_position, es.events.hash INTO v_position, v_last_hash;
    ELSE
    `;

/** `migration6Batch`: the batch function as migration 6 created it. */
export function leanAppendFunction(migration6Batch: string): string {
  let sql = chainAppendFunction(migration6Batch, 'v_name', 'v_events', 'by-index');
  sql = edit(name, sql, `\n  v_written  boolean := false;`, `\n  v_event    jsonb;\n  v_metadata jsonb;`);
  sql = edit(
    name,
    sql,
    `
    INSERT INTO es.streams (stream_name) VALUES (v_name) ON CONFLICT DO NOTHING;
    SELECT * INTO v_stream FROM es.streams s WHERE s.stream_name = v_name FOR UPDATE;`,
    lockOrCreate,
  );
  sql = edit(
    name,
    sql,
    `
      JOIN es.events e ON e.stream_name = v_name AND e.event_id = (i.value ->> 'id')::uuid;
    IF v_known > 0 THEN`,
    `
      JOIN LATERAL (SELECT x.stream_revision FROM es.events x
                     WHERE x.stream_name = v_name AND x.event_id = (i.value ->> 'id')::uuid OFFSET 0) e ON true;
    IF v_known > 0 THEN`,
  );
  sql = edit(
    name,
    sql,
    `es.event_hash(c.hash, v_events -> c.ord::int ->> 'type', v_events -> c.ord::int -> 'data',
                                      coalesce(v_events -> c.ord::int -> 'metadata', '{}'), v_stream.revision + c.ord + 1)`,
    eventHashSql(
      'c.hash',
      "v_events -> c.ord::int ->> 'type'",
      "v_events -> c.ord::int -> 'data'",
      "coalesce(v_events -> c.ord::int -> 'metadata', '{}')",
      'v_stream.revision + c.ord + 1',
    ),
  );
  sql = edit(name, sql, 'WITH RECURSIVE ev AS (', `${singleInsert}WITH RECURSIVE ev AS (`);
  sql = edit(
    name,
    sql,
    'INTO v_position, v_last_hash FROM inserted;',
    'INTO v_position, v_last_hash FROM inserted;\n    END IF;',
  );
  sql = edit(name, sql, '\n    v_written := true;', '');
  sql = edit(
    name,
    sql,
    `RETURN QUERY SELECT v_i, NULL::text, NULL::text, NULL::text,
                        v_stream.revision + v_count, pg_current_xact_id()::text, v_position;`,
    `ordinal := v_i;
    error_code := NULL;
    error_message := NULL;
    error_detail := NULL;
    next_expected_revision := v_stream.revision + v_count;
    transaction_id := pg_current_xact_id()::text;
    global_position := v_position;
    RETURN NEXT;`,
  );
  const notify = sql.indexOf('  -- One wake-up per commit');
  const loopEnd = sql.indexOf('END LOOP;') + 'END LOOP;'.length;
  if (notify < loopEnd) throw new Error('migration 7: the append function has no wake-up after its loop');
  return sql.slice(0, loopEnd) + '\n' + sql.slice(sql.indexOf('END\n$fn$;', notify));
}
