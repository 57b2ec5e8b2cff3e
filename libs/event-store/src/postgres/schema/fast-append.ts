/**
 * Migration 8 (ADR 0046): `es.append_batch` with the same rows, verdicts and hashes as migration 7,
 * rewritten from it (so the two cannot drift apart) to do less per event and per append:
 * - no foreign key from `es.events` to `es.streams`: its check ran a query per inserted event (an
 *   after-row trigger) to prove what the append already holds, the stream row it has locked; no
 *   one else writes `es.events` or deletes a stream row that has events;
 * - the idempotency lookup is skipped where a stored id can only be the caller's mistake (see
 *   `probeCondition`); a fourth argument, `p_probe_all`, asks for it on every append, and the
 *   signature of migrations 4–7 stays, as a wrapper that does so, for processes not yet updated;
 * - a batch's hash chain is carried by a loop over its events (one expression per event) and the
 *   events are inserted by one plain statement, instead of a recursive query joined back to them.
 * The hash formula is still `es.event_hash`'s, written out (lean-append.ts): the contract suite and
 * `hash-chain.int.spec.ts` compare every stored hash with `eventHash` of core.
 */
import { edit, eventHashSql } from './lean-append';

const name = 'migration 8';

/**
 * A retry of a stored append meets a stream that has moved on from its expected revision, or comes
 * with 'any' or 'stream_exists'. So where an exact revision or 'no_stream' matches, a stored id is
 * a mistake: the unique index on (stream, event id) refuses the insert, the statement fails, and
 * the store runs the append again alone with `p_probe_all`, which names the ids (ES422) as before.
 */
const probeCondition = `p_probe_all OR NOT v_matches OR v_expected = 'any' OR v_expected = 'stream_exists'`;

const matches = `
    v_exists := v_stream.revision >= v_stream.truncate_before;
    v_matches := v_expected = 'any'
                 OR (v_expected = 'no_stream' AND NOT v_exists)
                 OR (v_expected = 'stream_exists' AND v_exists)
                 OR (v_expected ~ '^[0-9]+$' AND v_expected::bigint = v_stream.revision);
    IF ${probeCondition} THEN`;

const chainLoop = `ELSE
      v_last_hash := v_stream.last_hash;
      FOR v_k IN 0 .. v_count - 1 LOOP
        v_event := v_events -> v_k;
        v_last_hash := ${eventHashSql('v_last_hash', "v_event ->> 'type'", "v_event -> 'data'", "coalesce(v_event -> 'metadata', '{}')", 'v_stream.revision + v_k + 1')};
        v_hashes[v_k + 1] := v_last_hash;
      END LOOP;
      WITH inserted AS (
        INSERT INTO es.events (stream_name, stream_revision, event_id, event_type, data, metadata, hash)
        SELECT v_name, v_stream.revision + i.ord, (i.value ->> 'id')::uuid, i.value ->> 'type', i.value -> 'data',
               coalesce(i.value -> 'metadata', '{}'), v_hashes[i.ord]
          FROM jsonb_array_elements(v_events) WITH ORDINALITY AS i (value, ord)
         ORDER BY i.ord
        RETURNING es.events.global_position
      )
      SELECT max(inserted.global_position) INTO v_position FROM inserted;
    END IF;`;

const signature = 'es.append_batch(p_streams text[], p_expected text[], p_events text[]';

/** `migration7Batch`: the batch function as migration 7 created it (lean-append.ts). */
export function fastAppendFunction(migration7Batch: string): string {
  let sql = edit(
    name,
    migration7Batch,
    `CREATE OR REPLACE FUNCTION ${signature})`,
    `CREATE FUNCTION ${signature}, p_probe_all boolean)`,
  );
  sql = edit(
    name,
    sql,
    `\n  v_event    jsonb;`,
    `\n  v_event    jsonb;\n  v_k        int;\n  v_matches  boolean;\n  v_hashes   bytea[] := '{}';`,
  );
  // The expected revision is compared first, so that the lookup can depend on it; verdicts keep
  // their order (tombstone, then stored ids, then the expected revision).
  const lookup = sql.indexOf('\n    SELECT count(*), min(e.stream_revision');
  const lookupEnd = sql.indexOf('\n    v_exists := v_stream.revision >= v_stream.truncate_before;');
  const checkEnd = sql.indexOf(' THEN', sql.indexOf('IF NOT (v_expected', lookupEnd)) + ' THEN'.length;
  if (lookup < 0 || lookupEnd < lookup || checkEnd < lookupEnd)
    throw new Error(`${name}: unexpected function text`);
  const probe = sql
    .slice(lookup, lookupEnd)
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n')
    .trimEnd();
  sql = `${sql.slice(0, lookup)}${matches}${probe}\n    END IF;\n\n    IF NOT v_matches THEN${sql.slice(checkEnd)}`;
  const chainStart = sql.indexOf('ELSE\n    WITH RECURSIVE ev AS (');
  const chainEndMarker = 'INTO v_position, v_last_hash FROM inserted;\n    END IF;';
  const chainEnd = sql.indexOf(chainEndMarker, chainStart) + chainEndMarker.length;
  if (chainStart < 0 || chainEnd < chainEndMarker.length) throw new Error(`${name}: no chained insert`);
  sql = sql.slice(0, chainStart) + chainLoop + sql.slice(chainEnd);
  return `
ALTER TABLE es.events DROP CONSTRAINT IF EXISTS events_stream_name_fkey;
${sql}
-- The signature of migrations 4 to 7, for processes not yet updated: every append is looked up.
CREATE OR REPLACE FUNCTION ${signature})
RETURNS TABLE (ordinal int, error_code text, error_message text, error_detail text,
               next_expected_revision bigint, transaction_id text, global_position bigint)
LANGUAGE sql AS $fn$
  SELECT * FROM es.append_batch(p_streams, p_expected, p_events, true)
$fn$;
`;
}
