import type { Pool } from 'pg';
import { assertSchemaName, ensureReadModelSchema } from './schema';

/**
 * A bulk load (the replay of a rebuild into an empty schema) writes millions of rows; keeping
 * the secondary indexes up to date row by row costs more than building them once at the end
 * (a sort per index). The load therefore drops every index that no write of the load needs:
 * not the primary keys (rows of streams met again are looked up and updated by them) nor the
 * unique indexes (ON CONFLICT targets), except the history's key, which no write of a load reads
 * (history is insert-only there). `readModelDdl` recreates all of them afterwards.
 */
export async function dropDeferredIndexes(pool: Pool, schema: string): Promise<string[]> {
  const s = assertSchemaName(schema);
  const { rows } = await pool.query<{ name: string; constraint: string | null; table: string }>(
    `SELECT ic.relname AS name, con.conname AS constraint, tc.relname AS table
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = ic.relnamespace
       LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid
      WHERE n.nspname = $1 AND (NOT i.indisunique OR (tc.relname = 'history' AND i.indisprimary))`,
    [s],
  );
  for (const row of rows) {
    if (row.constraint) await pool.query(`ALTER TABLE ${s}.${row.table} DROP CONSTRAINT ${row.constraint}`);
    else await pool.query(`DROP INDEX ${s}.${row.name}`);
  }
  return rows.map((row) => row.name);
}

/**
 * Builds the indexes the load dropped (the schema's DDL creates what is missing) and refreshes
 * the planner's statistics, which still describe empty tables.
 */
export async function restoreDeferredIndexes(pool: Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    // Index builds sort in memory up to this much per build, then spill to disk.
    await client.query(`SET maintenance_work_mem = '128MB'`);
    await ensureReadModelSchema(client, schema);
    await client.query(
      `ANALYZE ${assertSchemaName(schema)}.identities, ${schema}.assignments, ${schema}.orders, ${schema}.history`,
    );
  } finally {
    await client.query('RESET maintenance_work_mem').catch(() => undefined);
    client.release();
  }
}
