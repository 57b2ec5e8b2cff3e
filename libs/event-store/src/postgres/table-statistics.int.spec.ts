/**
 * ADR 0090: a connection that planned the stream read while `es.streams` was small keeps a plan
 * that scans the whole table, until an analysis invalidates it. The store analyses its tables as
 * they grow, so that plan is made again. Autovacuum is off for the tables here, as on a server
 * where it is off or has not come round yet.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { PostgresEventStore } from './postgres-event-store';

let db: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase('tablestats');
  // One connection: the plan the reads cache is the one EXPLAIN shows.
  store = await PostgresEventStore.connect({ connectionString: db.url, maxConnections: 1 });
  await store.pool.query(
    'ALTER TABLE es.streams SET (autovacuum_enabled = false); ALTER TABLE es.events SET (autovacuum_enabled = false)',
  );
});

afterAll(async () => {
  await store.close();
  await db.drop();
});

async function createStreams(count: number): Promise<string[]> {
  const names: string[] = [];
  for (let done = 0; done < count; done += 500) {
    const appends = Array.from({ length: Math.min(500, count - done) }, () => ({
      streamName: `identity-${randomUUID()}`,
      events: [{ id: randomUUID(), type: 'IdentityRegistered', data: { at: done } }],
    }));
    const outcomes = await store.appendMany(appends);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    names.push(...appends.map((append) => append.streamName));
  }
  return names;
}

/** The plan the store's connection runs the stream read with now, as EXPLAIN prints it. */
async function cachedReadPlan(names: readonly string[]): Promise<string> {
  const client = await store.pool.connect();
  try {
    const literal = `{${names.join(',')}}`;
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) EXECUTE "es.read_streams"('${literal}')`,
    );
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    client.release();
  }
}

describe('PostgresEventStore table statistics', () => {
  it('given reads planned on a small store, when it grows thirtyfold, then the reads probe the stream index again', async () => {
    const first = await createStreams(400);
    // Five custom plans, then the generic one each later call reuses.
    for (let i = 0; i < 8; i++) await store.readStreams(first.slice(i * 16, i * 16 + 16));

    const later = await createStreams(12_000);
    const names = later.slice(-16);

    // The last look may still be running after the last append: bounded, not a fixed sleep.
    let plan = '';
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      plan = await cachedReadPlan(names);
      if (!plan.includes('Seq Scan on streams')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(plan).not.toContain('Seq Scan on streams');
    expect(plan).toContain('Index Scan using streams_pkey on streams');
    // The events' growth is counted by the store itself (its appends): analysed at every doubling
    // (500, 1,000, 2,000, 4,000, 8,000 or a little after each, as looks fall), so the last time
    // at 4,000 events at least.
    const { rows } = await store.pool.query<{ analysed: boolean; rows: number }>(
      `SELECT last_analyze IS NOT NULL AS analysed, c.reltuples::float8 AS rows
         FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE s.schemaname = 'es' AND s.relname = 'events'`,
    );
    expect(rows[0]).toEqual({ analysed: true, rows: expect.any(Number) });
    expect(rows[0].rows).toBeGreaterThanOrEqual(4_000);
    expect(store.statistics.analyses).toBeGreaterThanOrEqual(3);
    // And the reads answer as before.
    const reads = await store.readStreams(names);
    expect(reads.map((read) => (Array.isArray(read) ? read.length : read))).toEqual(names.map(() => 1));
  });
});
