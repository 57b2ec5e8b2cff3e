import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { PostgresEventStore } from './postgres-event-store';
import { MigrationError, migrateEventStoreSchema } from './schema/migrate';
import { MIGRATIONS } from './schema/migrations';

describe('PostgreSQL event-store schema migrations', () => {
  let db: TestDatabase;
  const pools: Pool[] = [];
  const newPool = () => {
    const pool = new Pool({ connectionString: db.url, max: 2 });
    pools.push(pool);
    return pool;
  };

  beforeAll(async () => {
    db = await createTestDatabase('es_migrate');
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await db.drop();
  });

  it('runs each migration once, even when several instances start at the same time', async () => {
    const reports = await Promise.all(Array.from({ length: 6 }, () => migrateEventStoreSchema(newPool())));
    const versions = MIGRATIONS.map((m) => m.version);
    expect(reports.filter((r) => r.applied.length > 0).map((r) => r.applied)).toEqual([versions]);
    expect(reports.every((r) => r.current === Math.max(...versions))).toBe(true);
    const { rows } = await newPool().query('SELECT version FROM es.schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(versions);
  });

  it('finds nothing to do when stores connect again', async () => {
    const [a, b] = await Promise.all([
      PostgresEventStore.connect(db.url),
      PostgresEventStore.connect(db.url),
    ]);
    await Promise.all([a.close(), b.close()]);
    const report = await migrateEventStoreSchema(newPool());
    expect(report.applied).toEqual([]);
  });

  it('applies a later migration on top, and rolls a failing one back completely', async () => {
    const pool = newPool();
    const extra = { version: 900, name: 'test extra', sql: 'CREATE TABLE es.test_extra (id int)' };
    expect((await migrateEventStoreSchema(pool, [...MIGRATIONS, extra])).applied).toEqual([900]);
    const broken = {
      version: 901,
      name: 'broken',
      sql: 'CREATE TABLE es.half_done (id int); SELECT no_such_column FROM es.test_extra',
    };
    await expect(migrateEventStoreSchema(pool, [...MIGRATIONS, extra, broken])).rejects.toBeInstanceOf(
      MigrationError,
    );
    const { rows } = await pool.query(
      "SELECT (SELECT max(version) FROM es.schema_migrations) AS version, to_regclass('es.half_done') AS half_done",
    );
    expect(rows[0]).toEqual({ version: 900, half_done: null });
  });
});
