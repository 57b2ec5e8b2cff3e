import type { Pool, PoolClient } from 'pg';
import {
  type EventStore,
  logBelowGateQuery,
  logRangeQuery,
  type Position,
  PostgresEventStore,
} from '@prov/event-store';
import type { BulkLoader, Projection } from './projections/projection';
import { assertSchemaName, ensureReadModelSchema } from './schema';

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
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename <> 'checkpoints'`,
    [s],
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

/**
 * The rows that repeat events, copied while a load by stream runs (ADR 0079). `keep` commits them;
 * `drop` rolls them back (the load then copies them at its end, as before).
 */
export interface StoreCopyAlongside {
  /** Waits for the copy and commits it; throws what the copy threw. */
  keep(): Promise<void>;
  /** Waits for the copy to end and rolls it back; never throws. */
  drop(): Promise<void>;
}

/**
 * Connections a load by stream holds at once with a copy alongside: the stream reader's, the copy's
 * and one writer's (a second writer waits for a connection if the pool has no more).
 */
const CONNECTIONS_ALONGSIDE = 3;

/**
 * Starts copying, on a connection of its own, the rows that repeat the events below `gate` of the
 * projections that copy from the store (the history), while the load reads and folds the same
 * events by stream: the server's scan and insert of every event then overlap the load instead of
 * following it, alone on one core (ADR 0079). The transaction stays open until `keep` or `drop`:
 * rows whose events the load did not apply (`BulkLoad.notApplied`, known only at its end) are not
 * to be kept, and whether there are any decides. Undefined when the pool cannot spare the connection.
 */
export function copyFromStoreAlongside(
  pool: Pool,
  schema: string,
  projections: readonly Projection[],
  gate: string,
): StoreCopyAlongside | undefined {
  const copying = projections.filter(copiesFromStore);
  if (copying.length === 0 || (pool.options.max ?? 10) < CONNECTIONS_ALONGSIDE) return undefined;
  const connected = pool.connect();
  const copied = connected.then(async (client) => {
    await client.query('BEGIN');
    // As a bulk page: nobody reads the schema before the load's last transaction commits.
    await client.query('SET LOCAL synchronous_commit = off');
    for (const projection of copying)
      await projection.copyFromStore!(
        client,
        schema,
        logBelowGateQuery(gate, { streamNamePrefix: projection.streamPrefixes[0] }),
      );
  });
  copied.catch(() => undefined);
  const end = async (command: 'COMMIT' | 'ROLLBACK') => {
    const client = await connected;
    try {
      await client.query(command);
      client.release();
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  };
  return {
    async keep() {
      try {
        await copied;
      } catch (error) {
        await end('ROLLBACK').catch(() => undefined);
        throw error;
      }
      await end('COMMIT');
    },
    async drop() {
      await copied.catch(() => undefined);
      await end('ROLLBACK').catch(() => undefined);
    },
  };
}
