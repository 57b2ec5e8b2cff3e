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
          await store.appendToStream(`gate-${randomUUID()}`, [{ id: randomUUID(), type: 'Appended', data: {} }]);
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
});
