/**
 * Migration 9 (ADR 0057): `es.append_group`, migration 8's `es.append_batch` with the group's events
 * in one text parameter, a JSON array holding each append's array of events, instead of a `text[]`
 * of one JSON text per append. Same rows, verdicts, hashes and lock order; written as edits of
 * migration 8's text (fast-append.ts), so the two cannot drift apart.
 *
 * Why: an array parameter travels as an array literal, in which every quote of the JSON is
 * escaped; `array_in` then scans the literal character by character to take the escapes out again
 * before the JSON parser reads it once more (and `pg` in Node escaped it on the way in). For a batch
 * of 50 events that was the largest single function of the backend's profile after the WAL. A plain
 * text parameter arrives as it was sent.
 *
 * `es.append_batch` (both signatures) stays for processes not yet updated during a rolling deploy.
 */
import { edit } from './lean-append';

const name = 'migration 9';

/** `migration8`: the SQL of migration 8 (fast-append.ts), whose first function is the 4-argument `es.append_batch`. */
export function groupAppendFunction(migration8: string): string {
  const start = migration8.indexOf('CREATE FUNCTION es.append_batch(');
  const endMarker = 'END\n$fn$;';
  const end = migration8.indexOf(endMarker, start) + endMarker.length;
  if (start < 0 || end < endMarker.length) throw new Error(`${name}: no batch function in migration 8`);
  let sql = migration8.slice(start, end);
  sql = edit(
    name,
    sql,
    'CREATE FUNCTION es.append_batch(p_streams text[], p_expected text[], p_events text[], p_probe_all boolean)',
    'CREATE FUNCTION es.append_group(p_streams text[], p_expected text[], p_events text, p_probe_all boolean)',
  );
  // Parsed once for the group; each append's array is then taken from it by index.
  sql = edit(
    name,
    sql,
    '\n  v_events   jsonb;',
    '\n  v_events   jsonb;\n  v_group    jsonb := p_events::jsonb;',
  );
  sql = edit(name, sql, 'v_events := p_events[v_i]::jsonb;', 'v_events := v_group -> (v_i - 1);');
  return `${sql}\n`;
}
