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
  if (typeof value === 'string')
    return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return String(value);
  // JSON text has no raw newline, carriage return or tab (JSON.stringify escapes them): only
  // its backslashes need doubling, and most documents have none.
  const json = JSON.stringify(value);
  return json.includes('\\') ? json.replace(BACKSLASHES, '\\\\') : json;
}

const BACKSLASHES = /\\/g;

/**
 * The lines of COPY's text format for `rows`, joined into chunks of about `chunkSize` characters.
 * Fields are appended one by one: a bulk load writes millions of them, and an array of fields
 * joined per line cost the replay more than its escaping (ADR 0062).
 */
export function* copyChunks(rows: Iterable<readonly CopyValue[]>, chunkSize = 1 << 20): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) chunk += i === 0 ? copyField(row[i]) : '\t' + copyField(row[i]);
    chunk += '\n';
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
