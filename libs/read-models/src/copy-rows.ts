import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A column value as COPY's text format takes it; objects are written as JSON (jsonb columns). */
export type CopyValue = string | number | bigint | boolean | Date | object | null | undefined;

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One field of COPY's text format: backslash, newline, carriage return and tab escaped, `\N` for null. */
export function copyField(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value instanceof Date) return value.toISOString();
  else if (typeof value === 'object') text = JSON.stringify(value);
  else return String(value);
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : text;
}

/** The lines of COPY's text format for `rows`, joined into chunks of about `chunkSize` characters. */
export function* copyChunks(rows: Iterable<readonly CopyValue[]>, chunkSize = 1 << 20): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += row.map(copyField).join('\t') + '\n';
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * Appends rows to a table with COPY: the cheapest way into PostgreSQL (no statement per row, no
 * JSON document to unpack), but insert-only: a row whose key exists fails the whole COPY.
 * `rows` may be generated while they are sent. `table` and `columns` are identifiers of our own
 * schema, never input.
 */
export async function copyRows(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly CopyValue[]>,
): Promise<void> {
  if (Array.isArray(rows) && rows.length === 0) return;
  const sink = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(copyChunks(rows)), sink);
}
