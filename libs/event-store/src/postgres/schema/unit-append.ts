/**
 * Migration 10 (ADR 0061): `es.append_units`, a group of appends in which some appends are parts
 * of one append over several streams (`appendToStreams`), written all or none. Built from the
 * text of migration 9's `es.append_group` (group-append.ts): the same lock-or-create, verdicts
 * (tombstone, stored ids, expected revision), hash chain and inserts, so the two cannot drift
 * apart; what differs is the order of the work:
 * 1. every stream row of the group is locked (created when missing) first, in the lock order the
 *    caller gives (`p_lock`: by stream name, as migration 9 locks them), so groups still cannot
 *    deadlock;
 * 2. then, unit by unit in the order of `p_units` (the appends of a unit are next to each other),
 *    every part is judged before any is written: a refused part returns its error, a retry its
 *    original row, and the other parts are written only when no part was refused (ES424 for each
 *    part left unwritten);
 * 3. stream rows created for parts that were not written are removed, as migration 9 removes the
 *    row of a refused append.
 * Groups without a unit of two parts or more keep using `es.append_group`.
 */
import { edit } from './lean-append';

const name = 'migration 10';

/** Code of a part not written because another part of its append was refused (never an append's verdict). */
export const UNIT_REFUSED = 'ES424';

/** The text of `sql` from `from` (included) to `to` (excluded); throws when either is missing. */
function slice(sql: string, from: string, to: string): string {
  const start = sql.indexOf(from);
  const end = sql.indexOf(to, start);
  if (start < 0 || end < 0) throw new Error(`${name}: migration 9 has no "${from.trim()}" … "${to.trim()}"`);
  return sql.slice(start, end);
}

const loadPart = `
      v_name := p_streams[v_i];
      v_expected := p_expected[v_i];
      v_events := v_group -> (v_i - 1);
      v_count := jsonb_array_length(v_events);
      SELECT * INTO v_stream FROM es.streams s WHERE s.stream_name = v_name;`;

/** `migration9`: the SQL of migration 9 (group-append.ts), `es.append_group`. */
export function unitAppendFunction(migration9: string): string {
  let header = slice(migration9, 'CREATE FUNCTION es.append_group(', '  FOR v_i IN 1 ..');
  header = edit(
    name,
    header,
    'CREATE FUNCTION es.append_group(p_streams text[], p_expected text[], p_events text, p_probe_all boolean)',
    'CREATE FUNCTION es.append_units(p_streams text[], p_expected text[], p_events text, p_probe_all boolean,\n' +
      '                                p_units int[], p_lock int[])',
  );
  header = edit(
    name,
    header,
    '\n  v_metadata jsonb;',
    '\n  v_metadata jsonb;\n  v_n        int := coalesce(array_length(p_streams, 1), 0);\n  v_first    int := 1;' +
      '\n  v_last     int;\n  v_write    boolean[];\n  v_refused  boolean;\n  v_cleanup  boolean := false;',
  );
  const lockOrCreate = slice(
    migration9,
    '    SELECT * INTO v_stream FROM es.streams s',
    '\n\n    IF v_stream.tombstoned',
  );
  // A verdict returns its row and leaves the part unwritten; a refusal also refuses the unit.
  let verdicts = slice(migration9, '    IF v_stream.tombstoned THEN', '    IF v_count = 1 THEN');
  verdicts = verdicts.replace(/(\n *)CONTINUE;/g, '$1v_refused := true;$1CONTINUE;');
  verdicts = edit(
    name,
    verdicts,
    'WHERE e.stream_name = v_name AND e.stream_revision = v_offset + v_count - 1;\n        v_refused := true;',
    'WHERE e.stream_name = v_name AND e.stream_revision = v_offset + v_count - 1;',
  );
  // Rows created for unwritten parts are removed once, at the end: a later unit may still use them.
  verdicts = edit(
    name,
    verdicts,
    `      -- A stream row created only for this failed append would be left empty; remove it, as
      -- the rollback of a single append would.
      IF v_stream.revision = -1 AND NOT v_stream.tombstoned THEN
        DELETE FROM es.streams s WHERE s.stream_name = v_name AND s.revision = -1;
      END IF;`,
    '      v_cleanup := true;',
  );
  const write = slice(migration9, '    IF v_count = 1 THEN', '  END LOOP;\nEND\n$fn$;');
  const indent = (text: string) =>
    text
      .split('\n')
      .map((line) => (line ? `  ${line}` : line))
      .join('\n');
  return `${header}  -- 1. Every stream of the group locked (or created and locked) in the lock order.
  FOR v_k IN 1 .. v_n LOOP
    v_name := p_streams[p_lock[v_k]];
${lockOrCreate}
  END LOOP;

  -- 2. Unit by unit: every part judged, then written only if none was refused.
  WHILE v_first <= v_n LOOP
    v_last := v_first;
    WHILE v_last < v_n AND p_units[v_last + 1] = p_units[v_first] LOOP
      v_last := v_last + 1;
    END LOOP;
    v_refused := false;
    FOR v_i IN v_first .. v_last LOOP
      v_write[v_i] := false;${loadPart}
${indent(verdicts)}      v_write[v_i] := true;
    END LOOP;
    IF v_refused THEN
      v_cleanup := true;
    END IF;
    FOR v_i IN v_first .. v_last LOOP
      CONTINUE WHEN NOT v_write[v_i];
      IF v_refused THEN
        RETURN QUERY SELECT v_i, '${UNIT_REFUSED}', 'not written: another part of the append was refused',
                            NULL::text, NULL::bigint, NULL::text, NULL::bigint;
        CONTINUE;
      END IF;${loadPart}
${indent(write)}    END LOOP;
    v_first := v_last + 1;
  END LOOP;

  -- 3. Stream rows created for parts that were not written (as migration 9 removes a refused append's).
  IF v_cleanup THEN
    DELETE FROM es.streams s
     WHERE s.stream_name = ANY (p_streams) AND s.revision = -1 AND NOT s.tombstoned;
  END IF;
END
$fn$;
`;
}
