/**
 * Tamper evidence: appends (single and grouped) chain each stream's events; a row changed
 * directly in PostgreSQL is named by the verification; rows written before the chain existed
 * are chained by the migration.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { PostgresEventStore } from './postgres-event-store';
import { migrateEventStoreSchema } from './schema/migrate';
import { MIGRATIONS } from './schema/migrations';

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

const event = (n: number) => ({
  id: randomUUID(),
  type: 'Happened',
  data: { n, text: 'é ü' },
  metadata: { actor: 'x' },
});

it('names the first changed event, and only that one', async () => {
  const db = await createTestDatabase('chain');
  databases.push(db);
  const store = await PostgresEventStore.connect(db.url);
  try {
    await store.appendToStream('chain-a', [event(0), event(1)]);
    await Promise.all([
      store.appendToStream('chain-a', [event(2)]),
      store.appendToStream('chain-b', [event(0), event(1), event(2)]),
      store.appendToStream('chain-c', [event(0)]),
    ]);
    await store.deleteStream('chain-c');
    await store.appendToStream('chain-c', [event(1)]); // the chain goes on across a soft delete
    await expect(store.verifyChain()).resolves.toEqual({ ok: true, streamsChecked: 3, eventsChecked: 8 });

    await store.pool.query(
      `UPDATE es.events SET data = jsonb_set(data, '{n}', '42') WHERE stream_name = 'chain-b' AND stream_revision = 1`,
    );
    const [changed] = await store.readStream('chain-b', { fromRevision: 1n, maxCount: 1 });
    const result = await store.verifyChain({ pageSize: 1 });
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toEqual({ streamName: 'chain-b', revision: 1n, eventId: changed.id });
    await expect(store.verifyChain({ streamName: 'chain-a' })).resolves.toEqual(
      expect.objectContaining({ ok: true, eventsChecked: 3 }),
    );
  } finally {
    await store.close();
  }
}, 60_000);

it('chains events written before the migration, and appends continue the chain', async () => {
  const db = await createTestDatabase('chainmig');
  databases.push(db);
  const pool = new Pool({ connectionString: db.url });
  try {
    await migrateEventStoreSchema(
      pool,
      MIGRATIONS.filter((m) => m.version < 5),
    );
    await pool.query("SELECT * FROM es.append_to_stream('old-1', 'any', $1::jsonb)", [
      JSON.stringify([event(0), event(1)]),
    ]);
    await pool.query("SELECT * FROM es.append_to_stream('old-2', 'any', $1::jsonb)", [
      JSON.stringify([event(0)]),
    ]);
    await expect(migrateEventStoreSchema(pool)).resolves.toEqual(
      expect.objectContaining({ applied: [5, 6, 7, 8, 9, 10, 11, 12] }),
    );
    const store = await PostgresEventStore.connect({ pool });
    try {
      await store.appendToStream('old-1', [event(2)]);
      // Several events in one append: migration 6 chains them by index, migration 5 did by join.
      await store.appendToStream('old-2', [event(1), event(2), event(3)]);
      await expect(store.verifyChain()).resolves.toEqual({ ok: true, streamsChecked: 2, eventsChecked: 7 });
    } finally {
      await store.close();
    }
  } finally {
    await pool.end();
  }
}, 60_000);
