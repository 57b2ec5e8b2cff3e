/**
 * Migration 7 moved the wake-up out of the append's transaction (ADR 0041): the store sends it
 * after the commit. A subscriber in another process (here another store on the same database,
 * polling only once a minute) must still hear of an append at once; and chains written by the
 * function of migration 6 go on under migration 7, with retries of old appends still recognised.
 * A subscription may ask for its own pacing of woken reads (the projector's fewer, fuller batches).
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { take } from '../testing/contract/helpers';
import { PostgresEventStore } from './postgres-event-store';
import { migrateEventStoreSchema } from './schema/migrate';
import { MIGRATIONS } from './schema/migrations';

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

const event = (n: number) => ({ id: randomUUID(), type: 'Happened', data: { n }, metadata: { actor: 'x' } });

it('wakes a subscriber of another store right after an append commits, long before its poll', async () => {
  const db = await createTestDatabase('wake');
  databases.push(db);
  const [writer, reader] = await Promise.all([
    PostgresEventStore.connect(db.url),
    PostgresEventStore.connect(db.url),
  ]);
  const subscription = reader.subscribeToAll({ pollIntervalMs: 60_000 });
  try {
    await writer.appendToStream('wake-a', [event(0)]);
    // Received once the subscription has listened and read: later appends can only come by a wake-up.
    await take(subscription, 1, 30_000);
    for (let n = 1; n <= 3; n++) {
      await writer.appendToStream('wake-a', [event(n)]);
      const [received] = await take(subscription, 1, 20_000);
      expect(received.data).toEqual({ n });
    }
  } finally {
    await subscription.close();
    await Promise.all([writer.close(), reader.close()]);
  }
}, 120_000);

it("paces a subscription's woken reads by its own pacing, not the store's (ADR 0068)", async () => {
  const db = await createTestDatabase('paced');
  databases.push(db);
  const store = await PostgresEventStore.connect(db.url);
  const reads: number[] = [];
  const readAll = store.readAll.bind(store);
  store.readAll = (options) => {
    reads.push(Date.now());
    return readAll(options);
  };
  // The store's default pacing (one read per 20 ms) would read each wake-up at once here.
  const intervalMs = 2_000;
  const subscription = store.subscribeToAll({ pollIntervalMs: 60_000, pacing: { burst: 1, intervalMs } });
  try {
    await store.appendToStream('paced-a', [event(0)]);
    await take(subscription, 1, 30_000);
    for (let n = 1; n <= 2; n++) {
      await store.appendToStream('paced-a', [event(n)]);
      const [received] = await take(subscription, 1, 20_000);
      expect(received.data).toEqual({ n });
    }
    // The bucket's one token went to the first wake-up at the latest: the last event's read
    // waited for the next token, a whole interval after the read before it.
    expect(reads.at(-1)! - reads.at(-2)!).toBeGreaterThanOrEqual(intervalMs - 50);
  } finally {
    await subscription.close();
    await store.close();
  }
}, 120_000);

it('continues chains and recognises retries of appends made before migration 7', async () => {
  const db = await createTestDatabase('lean');
  databases.push(db);
  const pool = new Pool({ connectionString: db.url });
  try {
    await migrateEventStoreSchema(
      pool,
      MIGRATIONS.filter((m) => m.version <= 6),
    );
    const single = [event(0)];
    const several = [event(0), event(1)];
    await pool.query(`SELECT * FROM es.append_batch($1::text[], $2::text[], $3::text[])`, [
      ['old-1', 'old-2'],
      ['no_stream', 'no_stream'],
      [JSON.stringify(single), JSON.stringify(several)],
    ]);
    await expect(migrateEventStoreSchema(pool)).resolves.toEqual(
      expect.objectContaining({ applied: [7, 8, 9, 10, 11, 12] }),
    );
    const store = await PostgresEventStore.connect({ pool });
    try {
      const retried = await store.appendToStream('old-2', several, { expectedRevision: 'no_stream' });
      expect(retried.nextExpectedRevision).toBe(1n);
      await store.appendToStream('old-1', [event(1)], { expectedRevision: 0n });
      await store.appendToStream('old-2', [event(2), event(3), event(4)], { expectedRevision: 1n });
      await store.appendToStream('new-1', [event(0)], { expectedRevision: 'no_stream' });
      await expect(store.verifyChain()).resolves.toEqual({ ok: true, streamsChecked: 3, eventsChecked: 8 });
    } finally {
      await store.close();
    }
  } finally {
    await pool.end();
  }
}, 60_000);
