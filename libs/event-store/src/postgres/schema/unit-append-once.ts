/**
 * Migration 11 (ADR 0085): `es.append_units` reads each stream row once. Migration 10's function
 * selected a part's stream row three times (to lock it, to judge the part, to write it), and a
 * stream that did not exist yet three times more (a miss, the insert, the locked select). Inside
 * a PL/pgSQL function every statement starts and ends an executor: in a warm bulk load that set-up
 * was a quarter of the function's time, the lookups another sixth.
 *
 * Now the rows locked in step 1 are kept in an array, one entry per stream name (`v_canon` maps a
 * part to the first part of its stream, since a group may hold several appends to one stream), and
 * the judge and the write read that entry; a written part moves its entry on, as its `UPDATE`
 * moves the row, so a later part of the same stream sees the revision and hash it left. A missing
 * stream is created by an insert that returns its row, tried first for a part that expects no
 * stream (a new assignment, a new claim), which saves the select that would miss. Same arguments,
 * verdicts, rows, hashes and lock order: `CREATE OR REPLACE`, so a process not yet updated calls
 * the new body unchanged.
 * Built as edits of migration 10's text (unit-append.ts), so the two cannot drift apart.
 */
import { edit } from './lean-append';

const name = 'migration 11';

const lockedSelect = 'SELECT * INTO v_stream FROM es.streams s WHERE s.stream_name = v_name FOR UPDATE;';
const createRow =
  'INSERT INTO es.streams (stream_name) VALUES (v_name) ON CONFLICT DO NOTHING RETURNING * INTO v_stream;';
const loadRow = 'SELECT * INTO v_stream FROM es.streams s WHERE s.stream_name = v_name;';

/** `migration10`: the SQL of migration 10 (unit-append.ts), `es.append_units`. */
export function unitAppendOnceFunction(migration10: string): string {
  let sql = edit(
    name,
    migration10,
    'CREATE FUNCTION es.append_units(',
    'CREATE OR REPLACE FUNCTION es.append_units(',
  );
  sql = edit(
    name,
    sql,
    '\n  v_cleanup  boolean := false;',
    '\n  v_cleanup  boolean := false;\n  v_rows     es.streams[];\n  v_canon    int[];\n  v_found    boolean;',
  );
  sql = edit(
    name,
    sql,
    '  -- 1. Every stream of the group locked (or created and locked) in the lock order.\n',
    `  -- Each part's entry in v_rows: the first part naming the same stream.
  SELECT coalesce(array_agg(x.c ORDER BY x.o), '{}') INTO v_canon
    FROM (SELECT u.o, min(u.o) OVER (PARTITION BY u.n) AS c
            FROM unnest(p_streams) WITH ORDINALITY AS u (n, o)) x;

  -- 1. Every stream of the group locked (or created and locked) in the lock order, and kept.
`,
  );
  sql = edit(
    name,
    sql,
    `    ${lockedSelect}
    IF NOT FOUND THEN
      INSERT INTO es.streams (stream_name) VALUES (v_name) ON CONFLICT DO NOTHING;
      ${lockedSelect}
    END IF;
  END LOOP;`,
    `    -- A row this transaction inserts is its own until the commit: no lock to take. A part that
    -- expects no stream most likely creates it, so its insert comes first.
    v_found := false;
    IF p_expected[p_lock[v_k]] = 'no_stream' THEN
      ${createRow}
      v_found := FOUND;
    END IF;
    IF NOT v_found THEN
      ${lockedSelect}
      IF NOT FOUND THEN
        ${createRow}
        IF NOT FOUND THEN
          ${lockedSelect}
        END IF;
      END IF;
    END IF;
    v_rows[v_canon[p_lock[v_k]]] := v_stream;
  END LOOP;`,
  );
  const loads = sql.split(loadRow).length - 1;
  if (loads !== 2) throw new Error(`${name}: expected the judge's and the write's row reads, found ${loads}`);
  sql = sql.split(loadRow).join('v_stream := v_rows[v_canon[v_i]];');
  sql = edit(
    name,
    sql,
    '      RETURN NEXT;\n    END LOOP;\n    v_first := v_last + 1;',
    `      RETURN NEXT;
      v_stream.revision := v_stream.revision + v_count;
      v_stream.last_hash := v_last_hash;
      v_rows[v_canon[v_i]] := v_stream;
    END LOOP;
    v_first := v_last + 1;`,
  );
  return sql;
}
