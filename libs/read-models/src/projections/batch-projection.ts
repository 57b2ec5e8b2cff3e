import type { PoolClient } from 'pg';
import type { RecordedEvent } from '@prov/event-store';
import { type CopyValue, copyRows } from '../copy-rows';
import type { ApplyOptions, Projection } from './projection';
import { streamsToLookUp } from './stream-fold';

/** A read-model row as its upsert's JSON document and COPY take it, by column name. */
export type Row = Record<string, CopyValue>;

/** The batch writer of a projection; one event is a batch of one, so live and replay share one path. */
export function batchProjection(
  name: string,
  prefix: string,
  applyMany: (
    client: PoolClient,
    schema: string,
    events: readonly RecordedEvent[],
    options?: ApplyOptions,
  ) => Promise<void>,
): Projection {
  return {
    name,
    streamPrefixes: [prefix],
    apply: (client, schema, event) => applyMany(client, schema, [event]),
    applyMany,
  };
}

/**
 * The stored rows of the streams a batch touches (one SELECT, `select` given the ids as $1 and
 * the lock clause to end with). Locked for the transaction, except in a bulk load: the schema's
 * only writer then, locking the rows would only cost a write per row.
 */
export async function readTouchedRows<R extends object>(
  client: PoolClient,
  events: readonly RecordedEvent[],
  prefix: string,
  options: ApplyOptions,
  select: (lock: string) => string,
): Promise<R[]> {
  const ids = streamsToLookUp(events, prefix, options.bulk === true);
  if (ids.length === 0) return [];
  const { rows } = await client.query<R>(select(options.bulk ? '' : 'FOR UPDATE'), [ids]);
  return rows;
}

/**
 * Writes rows with one statement whose $1 is all of them as one JSON document, read by
 * jsonb_to_recordset: pg's text[]/jsonb[] parameters escape every character of every element in
 * JavaScript, which cost more than the writes. No rows, no statement.
 */
export async function writeJsonRows(client: PoolClient, sql: string, records: readonly Row[]): Promise<void> {
  if (records.length === 0) return;
  await client.query(sql, [JSON.stringify(records)]);
}

/** A table a projection writes: its columns in COPY order, and the multi-row upsert of its rows. */
export interface ProjectionTable {
  name: string;
  columns: readonly string[];
  upsert(client: PoolClient, schema: string, records: readonly Row[]): Promise<void>;
}

/**
 * Writes a table's folded rows: upserted, or in a bulk load the rows that did not exist before
 * the batch appended with COPY (cheaper, insert-only) and only the others upserted.
 */
export async function writeFoldedRows(
  client: PoolClient,
  schema: string,
  table: ProjectionTable,
  records: readonly Row[],
  folded: readonly { existed: boolean }[],
  options: ApplyOptions,
): Promise<void> {
  if (!options.bulk) return table.upsert(client, schema, records);
  const fresh = records.filter((_, i) => !folded[i].existed);
  await copyRows(
    client,
    `${schema}.${table.name}`,
    table.columns,
    fresh.map((r) => table.columns.map((c) => r[c])),
  );
  await table.upsert(
    client,
    schema,
    records.filter((_, i) => folded[i].existed),
  );
}
