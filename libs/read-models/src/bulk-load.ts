import type { Pool, PoolClient } from 'pg';
import { type EventStore, logRangeQuery, type Position, PostgresEventStore } from '@prov/event-store';
import type { BulkLoader, Projection } from './projections/projection';
import { assertSchemaName, ensureReadModelSchema } from './schema';
import { inTransaction } from './transaction';

/**
 * The table in which a load keeps the statements that build again the indexes it dropped, until
 * it has built them: a load whose process died leaves them there for the next one, which finds
 * those indexes gone (ADR 0079).
 */
const DROPPED_INDEXES = 'dropped_indexes';

/** The state of a bulk load across its pages. */
export interface BulkLoad {
  /** Projections that hold their rows until the end of the load (ADR 0038). */
  loaders: Map<Projection, BulkLoader>;
  /** Events applied so far. */
  events: number;
  /** The load copies rows that repeat events from the store's table at its end (ADR 0038). */
  fromStore: boolean;
  /** The first and last event the load applied (committed pages). */
  first?: Position;
  last?: Position;
  /** Events of the load the projections that copy from the store did not apply. */
  notApplied: Position[];
}

/**
 * Prepares an empty schema for a bulk load (no checkpoint: nothing of it was ever committed
 * as loaded). Rows of the row-per-page tables that are there anyway are what a load that died
 * midway left, since a load writes its checkpoint only at its end: they are discarded and the
 * load starts again. Then the deferred indexes are dropped and the projections that hold their
 * rows in memory start (reading the rows the schema has, so that their fold is exact).
 */
export async function beginBulkLoad(
  pool: Pool,
  schema: string,
  projections: readonly Projection[],
  options: { fromStore: boolean; heldAtMost?: number },
): Promise<BulkLoad> {
  const s = assertSchemaName(schema);
  await pool.query(`TRUNCATE ${s}.assignments, ${s}.orders, ${s}.history`);
  await dropDeferredIndexes(pool, s);
  await setAutovacuum(pool, s, false);
  const loaders = new Map<Projection, BulkLoader>();
  const client = await pool.connect();
  try {
    for (const projection of projections) {
      const loader = await projection.startBulkLoad?.(client, s, options.heldAtMost);
      if (loader) loaders.set(projection, loader);
    }
  } finally {
    client.release();
  }
  return { loaders, events: 0, fromStore: options.fromStore, notApplied: [] };
}

/**
 * Prepares a schema without a checkpoint for a load by stream (ADR 0047): every row any earlier
 * load left is discarded (it writes its checkpoint last, so such rows are what a load that died
 * left), the deferred indexes are dropped, and no projection holds rows in memory: each stream
 * is folded once, whole.
 */
export async function beginStreamLoad(pool: Pool, schema: string): Promise<BulkLoad> {
  const s = assertSchemaName(schema);
  const { rows } = await pool.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename <> ALL ($2::text[])`,
    [s, ['checkpoints', DROPPED_INDEXES]],
  );
  if (rows.length > 0) await pool.query(`TRUNCATE ${rows.map((r) => `${s}.${r.name}`).join(', ')}`);
  await dropDeferredIndexes(pool, s);
  await setAutovacuum(pool, s, false);
  return { loaders: new Map(), events: 0, fromStore: true, notApplied: [] };
}

/**
 * A bulk load (the replay of a rebuild into an empty schema) writes millions of rows; keeping
 * the secondary indexes up to date row by row costs more than building them once at the end
 * (a sort per index). The load therefore drops every index that no write of the load needs:
 * not the primary keys (rows of streams met again are looked up and updated by them) nor the
 * unique indexes (ON CONFLICT targets), except the history's key, which no write of a load reads
 * (history is insert-only there). The statements that build them again are kept in
 * DROPPED_INDEXES until `restoreDeferredIndexes` has run them.
 */
export async function dropDeferredIndexes(pool: Pool, schema: string): Promise<void> {
  const s = assertSchemaName(schema);
  const { rows } = await pool.query<{
    name: string;
    constraint: string | null;
    table: string;
    definition: string;
  }>(
    `SELECT ic.relname AS name, con.conname AS constraint, tc.relname AS table,
            pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = ic.relnamespace
       LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid
      WHERE n.nspname = $1 AND (NOT i.indisunique OR (tc.relname = 'history' AND i.indisprimary))`,
    [s],
  );
  await pool.query(`CREATE TABLE IF NOT EXISTS ${s}.${DROPPED_INDEXES} (definition text PRIMARY KEY)`);
  for (const row of rows)
    await inTransaction(pool, async (client) => {
      // Keys (the history's) are built by the DDL or with the copy of their rows (ADR 0079).
      if (row.constraint)
        await client.query(`ALTER TABLE ${s}.${row.table} DROP CONSTRAINT ${row.constraint}`);
      else {
        await client.query(`INSERT INTO ${s}.${DROPPED_INDEXES} VALUES ($1) ON CONFLICT DO NOTHING`, [
          row.definition.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS '),
        ]);
        await client.query(`DROP INDEX ${s}.${row.name}`);
      }
    });
}

/** Index builds sort in memory up to this much per build, then spill to disk. */
export const INDEX_BUILD_MEMORY = '128MB';

/** Index builds at once at the end of a load (ADR 0079). */
const INDEX_BUILDERS = 2;

/**
 * Builds the indexes the load dropped (those in DROPPED_INDEXES, an earlier load's that died
 * included: on INDEX_BUILDERS connections at once, each build a sort that leaves the other core
 * idle for much of its time; then the schema's DDL creates whatever is still missing) and
 * refreshes the planner's statistics, which still describe empty tables.
 */
export async function restoreDeferredIndexes(pool: Pool, schema: string): Promise<void> {
  const dropped = await pool.query<{ definition: string }>(
    `SELECT definition FROM ${assertSchemaName(schema)}.${DROPPED_INDEXES} ORDER BY definition`,
  );
  const builds = dropped.rows.map((row) => row.definition);
  await Promise.all(
    Array.from({ length: Math.min(INDEX_BUILDERS, builds.length) }, async () => {
      const client = await pool.connect();
      try {
        await client.query(`SET maintenance_work_mem = '${INDEX_BUILD_MEMORY}'`);
        for (let build = builds.shift(); build; build = builds.shift()) await client.query(build);
        await client.query('RESET maintenance_work_mem');
        client.release();
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
    }),
  );
  const client = await pool.connect();
  try {
    await client.query(`SET maintenance_work_mem = '${INDEX_BUILD_MEMORY}'`);
    await client.query(`DROP TABLE IF EXISTS ${assertSchemaName(schema)}.${DROPPED_INDEXES}`);
    await ensureReadModelSchema(client, schema);
    // The history is only ever read by its key: statistics of its payloads (large jsonb, read
    // and detoasted for the sample) would cost the most and serve no plan.
    await client.query(
      `ANALYZE ${assertSchemaName(schema)}.identities, ${schema}.assignments, ${schema}.orders,
         ${schema}.history (assignment_id, revision)`,
    );
  } finally {
    await client.query('RESET maintenance_work_mem').catch(() => undefined);
    client.release();
  }
  await setAutovacuum(pool, schema, true);
}

/**
 * Autovacuum off for the schema's tables during a load, on again after it. The load's tables grow
 * by millions of rows, so autovacuum analysed and vacuumed them again and again while the load
 * ran, the longer it ran the more often (ADR 0055); the load analyses them once at its end, and
 * autovacuum, on again, vacuums them then (the counts of inserted rows are kept meanwhile).
 */
async function setAutovacuum(pool: Pool, schema: string, enabled: boolean): Promise<void> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1`,
    [schema],
  );
  for (const { name } of rows)
    await pool.query(
      enabled
        ? `ALTER TABLE ${schema}.${name} RESET (autovacuum_enabled)`
        : `ALTER TABLE ${schema}.${name} SET (autovacuum_enabled = false)`,
    );
}

/**
 * Whether a load may copy rows that repeat events from the store's table: the store is the
 * PostgreSQL adapter on the read models' own pool (so in their database). Otherwise every row
 * is written from the events read, as with any other store (ADR 0038).
 */
export function storeSharesDatabase(store: EventStore, pool: Pool): boolean {
  return store instanceof PostgresEventStore && store.pool === pool;
}

/** At the end of a load: the rows that repeat the load's events, copied from the store's table. */
export async function copyFromStore(
  client: PoolClient,
  schema: string,
  projections: readonly Projection[],
  load: BulkLoad,
): Promise<void> {
  const { first, last } = load;
  if (!load.fromStore || !first || !last) return;
  for (const projection of projections.filter(copiesFromStore)) {
    const query = logRangeQuery(first, last, {
      streamNamePrefix: projection.streamPrefixes[0],
      exclude: load.notApplied,
    });
    await projection.copyFromStore!(client, schema, query);
  }
}

/** A projection whose rows that repeat events a load copies from the store's table. */
export function copiesFromStore(projection: Projection): boolean {
  return projection.copyFromStore !== undefined && projection.streamPrefixes.length === 1;
}
