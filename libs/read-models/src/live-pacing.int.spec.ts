/**
 * The live projector reads the log paced by READ_MODEL_PACING (ADR 0068): while commits keep
 * coming, a read, and with it a batch (one statement, one notification on READ_MODEL_CHANNEL),
 * at most once per interval after its burst, however many commits the interval holds.
 */
import { Pool, type PoolClient } from 'pg';
import { commandMetadata, handleCommand } from '@prov/command-handling';
import { identityDecider, identityStreamName } from '@prov/domain';
import { PostgresEventStore } from '@prov/event-store';
import { createTestDatabase, type TestDatabase, waitFor } from '@prov/testing';
import { Projector, READ_MODEL_CHANNEL, READ_MODEL_PACING } from './projector';

const now = new Date('2026-11-01T10:00:00.000Z');
const metadata = commandMetadata({ actor: 'test' }, now);
const COMMITS = 80;

let db: TestDatabase;
let pool: Pool;
let store: PostgresEventStore;
let listener: PoolClient;

beforeAll(async () => {
  db = await createTestDatabase('rm_pacing');
  pool = new Pool({ connectionString: db.url });
  store = await PostgresEventStore.connect({ pool });
  listener = await pool.connect();
});

afterAll(async () => {
  listener.release();
  await store.close();
  await pool.end();
  await db.drop();
});

it('writes at most one batch per pacing interval after its burst while commits keep coming', async () => {
  const projector = new Projector(pool, store);
  await projector.start();
  const batches: { at: number; count: number }[] = [];
  listener.on('notification', (message) => {
    if (message.channel === READ_MODEL_CHANNEL)
      batches.push({ at: Date.now(), count: (JSON.parse(message.payload!) as { count: number }).count });
  });
  await listener.query(`LISTEN ${READ_MODEL_CHANNEL}`);
  try {
    const started = Date.now();
    // One commit after the other, each its own wake-up: unpaced, each would be a read and a batch.
    for (let i = 0; i < COMMITS; i++)
      await handleCommand(
        store,
        identityDecider,
        identityStreamName(`paced-${i}`),
        {
          type: 'RegisterIdentity',
          identityId: `paced-${i}`,
          login: `paced${i}`,
          firstName: 'Paced',
          lastName: `Person ${i}`,
          email: `paced${i}@example.test`,
          now,
        },
        { metadata },
      );
    await waitFor(() => batches.reduce((sum, batch) => sum + batch.count, 0), {
      until: (events) => events >= COMMITS,
      timeoutMs: 30_000,
      description: 'every commit in a batch of the live projector',
    });
    // The first read needs no token; then the burst, then one per interval (and one of slack for
    // the timers' rounding).
    const elapsed = batches.at(-1)!.at - started;
    const allowed = 1 + READ_MODEL_PACING.burst + Math.floor(elapsed / READ_MODEL_PACING.intervalMs) + 1;
    expect(batches.length).toBeLessThanOrEqual(allowed);
    expect(batches.length).toBeLessThan(COMMITS);
  } finally {
    await listener.query(`UNLISTEN ${READ_MODEL_CHANNEL}`);
    await projector.stop();
  }
}, 120_000);
