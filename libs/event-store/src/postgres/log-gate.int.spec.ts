/**
 * Many writers append while a reader pages through the global log: the reader must see every
 * event exactly once. This is the test that caught a wrong 32-bit to 64-bit id conversion in the
 * gate; it runs its own cluster so that its load does not slow other test files.
 */
import { randomUUID } from 'node:crypto';
import { type RunningPostgres, startPostgresCluster } from '@prov/testing';
import type { Position } from '../core';
import { waitForPostgres } from '../testing';
import { PostgresEventStore } from './postgres-event-store';

describe('PostgreSQL global log under concurrent appends', () => {
  let cluster: RunningPostgres;
  let store: PostgresEventStore;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    await waitForPostgres(cluster.url);
    store = await PostgresEventStore.connect({ connectionString: cluster.url, maxConnections: 30 });
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
  });

  it('hands every event to a reader that pages while 20 writers append, once and in order', async () => {
    const total = 3000;
    let issued = 0;
    const writers = Promise.all(
      Array.from({ length: 20 }, async () => {
        while (issued < total) {
          issued++;
          await store.appendToStream(`gate-${randomUUID()}`, [
            { id: randomUUID(), type: 'Appended', data: {} },
          ]);
        }
      }),
    );
    let writing = true;
    void writers.finally(() => (writing = false));
    const seen: string[] = [];
    let after: Position | undefined;
    for (;;) {
      const stillWriting = writing;
      const page = await store.readAll({ after, maxCount: 100 });
      seen.push(...page.events.map((event) => event.id));
      for (const event of page.events) {
        if (after !== undefined) expect(event.position > after).toBe(true);
        after = event.position;
      }
      if (page.lastPosition) after = page.lastPosition;
      if (!stillWriting && page.isEnd) break;
    }
    await writers;
    const stored = await store.pool.query<{ id: string }>('SELECT event_id::text AS id FROM es.events');
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(stored.rows.length);
    expect(new Set(seen)).toEqual(new Set(stored.rows.map((row) => row.id)));
  }, 120_000);

  it('gives every event once to three subscriptions, each read one statement, the lock table read rarely', async () => {
    const start = (await store.readAll({ maxCount: 1_000_000 })).lastPosition;
    let gateQueries = 0;
    let pageQueries = 0;
    let lockReads = 0;
    const query = store.pool.query.bind(store.pool);
    store.pool.query = ((config: unknown, ...rest: unknown[]) => {
      const text = typeof config === 'string' ? config : (config as { text?: string }).text;
      if (text?.includes('FROM es.events e')) pageQueries++;
      else if (text?.includes('pg_snapshot_xmax')) gateQueries++;
      if (text?.includes('pg_locks')) lockReads++;
      return (query as (...args: unknown[]) => unknown)(config, ...rest);
    }) as typeof store.pool.query;
    const total = 600;
    const subscriptions = Array.from({ length: 3 }, () => store.subscribeToAll({ after: start }));
    const received = subscriptions.map(async (subscription) => {
      const ids: string[] = [];
      for await (const event of subscription) {
        ids.push(event.id);
        if (ids.length === total) break;
      }
      return ids;
    });
    try {
      let issued = 0;
      const written: string[] = [];
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (issued < total) {
            issued++;
            const id = randomUUID();
            written.push(id);
            await store.appendToStream(`shared-${randomUUID()}`, [{ id, type: 'Appended', data: {} }]);
          }
        }),
      );
      for (const ids of await Promise.all(received)) {
        expect(new Set(ids).size).toBe(total);
        expect(new Set(ids)).toEqual(new Set(written));
      }
      // The gate comes with the page (ADR 0042); the lock table only when it stands on a
      // transaction of unknown kind, and verdicts are remembered, so far less than once a read.
      expect(gateQueries).toBe(0);
      expect(lockReads).toBeLessThan(pageQueries * 0.25);
    } finally {
      store.pool.query = query;
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
    }
  }, 120_000);
});
