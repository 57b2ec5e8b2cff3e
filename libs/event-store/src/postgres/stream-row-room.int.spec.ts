/**
 * Migration 12 (ADR 0086): a stream's row changes with every append, in no indexed column. Pages of
 * `es.streams` keep room for the next version of their rows, so an append updates its stream's row
 * in place (a HOT update: no new entry in the key's index) instead of moving it to another page.
 */
import { type RunningPostgres, startPostgresCluster } from '@prov/testing';
import { waitForPostgres } from '../testing';
import { awkwardEvent as event } from '../testing/append-migrations';
import { PostgresEventStore } from './postgres-event-store';

// A cluster of its own: an old version is pruned from its page only once no transaction of the
// cluster can see it, and other test files keep transactions open on the shared one.
// The store owns its pool: `pool.end()` hands connections back before they have closed, and the
// cluster's fast shutdown then ends them with an error only an owned pool listens for.
let cluster: RunningPostgres;
let store: PostgresEventStore;
beforeAll(async () => {
  cluster = await startPostgresCluster();
  await waitForPostgres(cluster.url);
  store = await PostgresEventStore.connect(cluster.url);
}, 60_000);
afterAll(async () => {
  await store?.close();
  await cluster?.stop();
});

it('updates the stream rows of appends to streams created together on their own pages', async () => {
  const client = await store.pool.connect();
  try {
    // Created together, so their rows fill pages one after the other, as a bulk load's do.
    const streams = Array.from({ length: 400 }, (_, n) => `room-${n}`);
    const created = await store.appendMany(
      streams.map((streamName) => ({
        streamName,
        events: [event(0)],
        expectedRevision: 'no_stream' as const,
      })),
    );
    expect(created.every((outcome) => outcome.ok)).toBe(true);
    // The backend's counts not yet reported are in the view too: the appends' own are the difference.
    const counts = async () => {
      const { rows } = await client.query(
        `SELECT n_tup_upd AS updated, n_tup_hot_upd AS hot FROM pg_stat_xact_user_tables
          WHERE schemaname = 'es' AND relname = 'streams'`,
      );
      return { updated: Number(rows[0].updated), hot: Number(rows[0].hot) };
    };
    await client.query('BEGIN');
    const before = await counts();
    const { rows } = await client.query(
      `SELECT error_code FROM es.append_group($1::text[], $2::text[], $3::text, false)`,
      [streams, streams.map(() => '0'), JSON.stringify(streams.map(() => [event(1)]))],
    );
    expect(rows.every((row) => row.error_code === null)).toBe(true);
    const after = await counts();
    await client.query('COMMIT');
    expect(after.updated - before.updated).toBe(streams.length);
    expect(after.hot - before.hot).toBe(streams.length);
  } finally {
    client.release();
  }
}, 60_000);
