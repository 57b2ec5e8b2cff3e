/**
 * The race the log gate exists for: transaction A appends first but commits last, while B
 * appends and commits in between. A reader that trusted sequence order would hand out B, move
 * its checkpoint past A's position, and never see A. The store must hold B back until A ends.
 *
 * The gate is the oldest transaction still *appending* (every append holds a shared advisory
 * lock), not the oldest of the cluster; the last tests show that unrelated transactions do not
 * hold the log back. This file still runs its own cluster, so that its held-open appends never
 * stall another test file's reads.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type RunningPostgres, startPostgresCluster } from '@prov/testing';
import type { Position } from '../core';
import { waitForPostgres } from '../testing';
import { readAllThrough, take } from '../testing/contract/helpers';
import { PostgresEventStore } from './postgres-event-store';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until the store has sent `count` more page reads of the log; returns how many it saw. */
async function pageReadsAfter(store: PostgresEventStore, count: number): Promise<number> {
  const query = store.pool.query.bind(store.pool);
  let reads = 0;
  store.pool.query = ((config: unknown, ...rest: unknown[]) => {
    const text = typeof config === 'string' ? config : (config as { text?: string }).text;
    if (text?.includes('FROM es.events e')) reads++;
    return (query as (...args: unknown[]) => unknown)(config, ...rest);
  }) as typeof store.pool.query;
  try {
    const deadline = Date.now() + 10_000;
    while (reads < count && Date.now() < deadline) await sleep(10);
    return reads;
  } finally {
    store.pool.query = query;
  }
}

describe('PostgreSQL global log with a transaction that commits late', () => {
  let cluster: RunningPostgres;
  let store: PostgresEventStore;
  let holder: Client;

  beforeAll(async () => {
    // Prepared transactions: an append that no backend runs any more (see the last test).
    cluster = await startPostgresCluster({ settings: { max_prepared_transactions: 4 } });
    await waitForPostgres(cluster.url);
    store = await PostgresEventStore.connect(cluster.url);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
  });

  beforeEach(async () => {
    holder = new Client({ connectionString: cluster.url });
    await holder.connect();
  });

  afterEach(async () => {
    await holder.end();
  });

  /** Appends through the adapter's own SQL function, inside a transaction left open. */
  async function appendInOpenTransaction(stream: string, type: string): Promise<string> {
    const id = randomUUID();
    await holder.query('BEGIN');
    await holder.query('SELECT * FROM es.append_to_stream($1, $2, $3::jsonb)', [
      stream,
      'any',
      JSON.stringify([{ id, type, data: { late: true }, metadata: {} }]),
    ]);
    return id;
  }

  /** Appends a first event and waits until the log shows it, so "nothing visible" below means "held back". */
  async function startingPoint(prefix: string): Promise<Position> {
    const { position } = await store.appendToStream(`${prefix}start`, [
      { id: randomUUID(), type: 'Start', data: {} },
    ]);
    await readAllThrough(store, position);
    return position;
  }

  it('delivers nothing past the open transaction, then both events in order once it commits', async () => {
    const prefix = `late_${randomUUID().slice(0, 8)}-`;
    const start = await startingPoint(prefix);
    const subscription = store.subscribeToAll({ after: start, pollIntervalMs: 20 });
    const received = take(subscription, 2, 30_000);

    const earlyId = await appendInOpenTransaction(`${prefix}a`, 'AppendedFirst');
    const later = await store.appendToStream(`${prefix}b`, [
      { id: randomUUID(), type: 'CommittedFirst', data: {} },
    ]);

    // The hazard is real: by sequence alone, the later event is already visible and the early one is not.
    const naive = await store.pool.query<{ event_type: string }>(
      "SELECT event_type FROM es.events WHERE stream_name LIKE $1 || '%' AND event_type <> 'Start' ORDER BY global_position",
      [prefix],
    );
    expect(naive.rows.map((r) => r.event_type)).toEqual(['CommittedFirst']);

    // But the store shows neither, for several poll rounds of the subscriber.
    await sleep(300);
    const page = await store.readAll({ after: start });
    expect(page.events).toEqual([]);
    expect(page.isEnd).toBe(true);
    // ...and says that it holds committed events back (ADR 0064): a subscriber reads at the next wake-up.
    expect(page.heldBack).toBe(true);
    let early = false;
    void received.then(() => (early = true));
    await sleep(50);
    expect(early).toBe(false);

    await holder.query('COMMIT');

    const events = await received;
    await subscription.close();
    expect(events.map((e) => e.type)).toEqual(['AppendedFirst', 'CommittedFirst']);
    expect(events[0].id).toBe(earlyId);
    expect(events[1].position).toBe(later.position);
    const read = await store.readAll({ after: start });
    expect(read.events.map((e) => e.type)).toEqual(['AppendedFirst', 'CommittedFirst']);
    expect(read.events[0].position < read.events[1].position).toBe(true);
  }, 60_000);

  it('moves on once a held-back transaction rolls back', async () => {
    const prefix = `rollback_${randomUUID().slice(0, 8)}-`;
    const start = await startingPoint(prefix);
    const subscription = store.subscribeToAll({ after: start, pollIntervalMs: 20 });
    await appendInOpenTransaction(`${prefix}a`, 'RolledBack');
    await store.appendToStream(`${prefix}b`, [{ id: randomUUID(), type: 'Kept', data: {} }]);
    await sleep(100);
    expect((await store.readAll({ after: start })).events).toEqual([]);
    await holder.query('ROLLBACK');
    const [event] = await take(subscription, 1, 30_000);
    await subscription.close();
    expect(event.type).toBe('Kept');
    await expect(store.readStream(`${prefix}a`)).rejects.toThrow(/does not exist/);
  }, 60_000);

  it('is not held back by a long transaction that appends nothing', async () => {
    const prefix = `unrelated_${randomUUID().slice(0, 8)}-`;
    const start = await startingPoint(prefix);
    await holder.query('CREATE TABLE IF NOT EXISTS unrelated (id int)');
    await holder.query('BEGIN');
    await holder.query('INSERT INTO unrelated VALUES (1)');
    try {
      const appended = await store.appendToStream(`${prefix}a`, [
        { id: randomUUID(), type: 'NotHeldBack', data: {} },
      ]);
      const page = await store.readAll({ after: start });
      expect(page.events.map((e) => e.type)).toEqual(['NotHeldBack']);
      expect(page.events[0].position).toBe(appended.position);
    } finally {
      await holder.query('ROLLBACK');
    }
  }, 60_000);

  it('holds the log back behind a prepared append, whose locks belong to no backend', async () => {
    // A gate that trusted only what backends hold (ADR 0004's pg_locks and pg_stat_activity by
    // pid, or one that let through every id whose lock it cannot place) stepped over it for good.
    const prefix = `prepared_${randomUUID().slice(0, 8)}-`;
    const start = await startingPoint(prefix);
    const subscription = store.subscribeToAll({ after: start, pollIntervalMs: 20 });
    const received = take(subscription, 2, 30_000);
    const id = randomUUID();
    const gid = `append-${randomUUID()}`;
    await holder.query('BEGIN');
    await holder.query('SELECT * FROM es.append_batch($1::text[], $2::text[], $3::text[])', [
      [`${prefix}a`],
      ['any'],
      [JSON.stringify([{ id, type: 'Prepared', data: {}, metadata: {} }])],
    ]);
    await holder.query(`PREPARE TRANSACTION '${gid}'`);
    try {
      await store.appendToStream(`${prefix}b`, [{ id: randomUUID(), type: 'CommittedFirst', data: {} }]);
      expect((await store.readAll({ after: start })).events).toEqual([]);
      // Let the subscriber read a few times (every 20 ms): a gate that let it pass the prepared
      // append would hand out CommittedFirst first and never the prepared event.
      expect(await pageReadsAfter(store, 5)).toBeGreaterThanOrEqual(5);
    } finally {
      await holder.query(`COMMIT PREPARED '${gid}'`);
    }
    const events = await received;
    await subscription.close();
    expect(events.map((e) => e.type)).toEqual(['Prepared', 'CommittedFirst']);
    expect(events[0].id).toBe(id);
  }, 60_000);

  it('refuses an append that is not the first write of its transaction', async () => {
    await holder.query('CREATE TABLE IF NOT EXISTS unrelated (id int)');
    await holder.query('BEGIN');
    await holder.query('INSERT INTO unrelated VALUES (2)');
    await expect(
      holder.query('SELECT * FROM es.append_to_stream($1, $2, $3::jsonb)', [
        `second_${randomUUID().slice(0, 8)}-a`,
        'any',
        JSON.stringify([{ id: randomUUID(), type: 'TooLate', data: {}, metadata: {} }]),
      ]),
    ).rejects.toThrow(/first write of its transaction/);
    await holder.query('ROLLBACK');
  }, 60_000);
});
