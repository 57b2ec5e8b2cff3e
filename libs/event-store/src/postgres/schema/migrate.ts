/**
 * Brings the `es` schema up to date. Every service instance calls this at start, so it must be
 * safe to run concurrently: a session advisory lock lets one instance migrate while the others
 * wait, and then find nothing left to do.
 */
import type { Pool, PoolClient } from 'pg';
import { EventStoreError } from '../../core';
import { MIGRATIONS, type Migration } from './migrations';

/**
 * Advisory-lock key of the migration (a fixed arbitrary number: advisory locks are per database,
 * so only another user of this same key in the same database could collide).
 */
const MIGRATION_LOCK_KEY = 4_205_117_230_901n;

export interface MigrationReport {
  /** Versions applied by this call, in order; empty when the schema was already current. */
  applied: number[];
  /** Highest version now in the database. */
  current: number;
}

export class MigrationError extends EventStoreError {
  constructor(
    readonly migration: Migration,
    cause: unknown,
  ) {
    super(
      `event-store migration ${migration.version} (${migration.name}) failed: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

async function appliedVersions(client: PoolClient): Promise<Set<number>> {
  const { rows } = await client.query<{ version: number }>('SELECT version FROM es.schema_migrations');
  return new Set(rows.map((row) => row.version));
}

export async function migrateEventStoreSchema(
  pool: Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationReport> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      await client.query(`
        CREATE SCHEMA IF NOT EXISTS es;
        CREATE TABLE IF NOT EXISTS es.schema_migrations (
          version    integer PRIMARY KEY,
          name       text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        );`);
      const done = await appliedVersions(client);
      const applied: number[] = [];
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(migration.version)) continue;
        try {
          await client.query('BEGIN');
          await client.query(migration.sql);
          await client.query('INSERT INTO es.schema_migrations (version, name) VALUES ($1, $2)', [
            migration.version,
            migration.name,
          ]);
          await client.query('COMMIT');
        } catch (cause) {
          await client.query('ROLLBACK').catch(() => (broken = true));
          throw new MigrationError(migration, cause);
        }
        applied.push(migration.version);
      }
      const current = Math.max(0, ...done, ...applied);
      return { applied, current };
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()])
        .catch(() => (broken = true));
    }
  } finally {
    // A connection in an unknown state (failed rollback or unlock) must not go back to the pool,
    // or it would keep holding the lock; closing it releases everything.
    client.release(broken);
  }
}
