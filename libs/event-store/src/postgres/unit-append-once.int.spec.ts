/**
 * Migration 11 (ADR 0085): `es.append_units` keeps the stream rows it locked instead of selecting
 * each again to judge and to write a part. Within one group a later append to the same stream must
 * still see what an earlier one wrote (its revision and its hash), and a refused unit must still
 * leave no stream row behind.
 */
import { prepareAppends, WrongExpectedVersionError, type StreamAppend } from '../core';
import { awkwardEvent as event, expectChained, specDatabase } from '../testing/append-migrations';
import { appendUnits } from './append-units';
import { PostgresEventStore } from './postgres-event-store';

const database = specDatabase('unitonce');

const units = (...appends: StreamAppend[][]) => appends.map((unit) => prepareAppends(unit));

it('lets later units of one group see what earlier ones wrote to the same stream', async () => {
  const store = await PostgresEventStore.connect({ pool: database.pool() });
  try {
    const pool = database.pool();
    await store.appendToStream('shared', [event(0)]);
    const outcomes = await appendUnits(
      pool,
      units(
        [
          { streamName: 'shared', events: [event(1), event(2)], expectedRevision: 0n },
          { streamName: 'own-1', events: [event(0)], expectedRevision: 'no_stream' },
        ],
        [
          { streamName: 'own-2', events: [event(0)], expectedRevision: 'no_stream' },
          { streamName: 'shared', events: [event(3)], expectedRevision: 2n },
        ],
        // At the revision the group started from: refused, and its new stream not left behind.
        [
          { streamName: 'own-3', events: [event(0)], expectedRevision: 'no_stream' },
          { streamName: 'shared', events: [event(9)], expectedRevision: 0n },
        ],
        [{ streamName: 'shared', events: [event(4)], expectedRevision: 'any' }],
        // Expects no stream, so its row is inserted first: the insert finds the row and is refused.
        [
          { streamName: 'own-4', events: [event(0)], expectedRevision: 'no_stream' },
          { streamName: 'shared', events: [event(8)], expectedRevision: 'no_stream' },
        ],
      ),
    );
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, false, true, false]);
    expect((outcomes[2] as { error: unknown }).error).toBeInstanceOf(WrongExpectedVersionError);
    expect((outcomes[4] as { error: unknown }).error).toBeInstanceOf(WrongExpectedVersionError);
    const revisions = outcomes.map((outcome) =>
      outcome.ok ? outcome.value.map((result) => result.nextExpectedRevision) : undefined,
    );
    expect(revisions).toEqual([[2n, 0n], [0n, 3n], undefined, [4n], undefined]);
    const shared = await store.readStream('shared');
    expect(shared.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4]);
    for (const stream of ['shared', 'own-1', 'own-2']) await expectChained(pool, store, stream);
    const { rows } = await pool.query(`SELECT stream_name, revision FROM es.streams ORDER BY 1`);
    expect(rows).toEqual([
      { stream_name: 'own-1', revision: '0' },
      { stream_name: 'own-2', revision: '0' },
      { stream_name: 'shared', revision: '4' },
    ]);
    await expect(store.verifyChain()).resolves.toEqual(expect.objectContaining({ ok: true }));
  } finally {
    await store.close();
  }
}, 60_000);

it('reads each stream row of a group once', async () => {
  const store = await PostgresEventStore.connect({ pool: database.pool() });
  const client = await database.pool().connect();
  try {
    const streams = ['once-a', 'once-b', 'once-c', 'once-d'];
    for (const stream of streams) await store.appendToStream(stream, [event(0)]);
    // The backend's counts not yet reported are in the view too: the call's own are the difference.
    const streamScans = async () =>
      Number(
        (
          await client.query(
            `SELECT idx_scan FROM pg_stat_xact_user_tables WHERE schemaname = 'es' AND relname = 'streams'`,
          )
        ).rows[0].idx_scan,
      );
    await client.query('BEGIN');
    const before = await streamScans();
    const { rows } = await client.query(
      `SELECT error_code FROM es.append_units($1::text[], $2::text[], $3::text, false, $4::int[], $5::int[])`,
      [
        streams,
        ['0', '0', '0', '0'],
        JSON.stringify(streams.map((_, n) => [event(n + 1)])),
        [1, 1, 2, 2],
        [1, 2, 3, 4],
      ],
    );
    expect(rows).toEqual(streams.map(() => ({ error_code: null })));
    // Two index scans per part: the lock and the update of its row (four before migration 11).
    expect((await streamScans()) - before).toBe(2 * streams.length);
    await client.query('ROLLBACK');
  } finally {
    client.release();
    await store.close();
  }
}, 60_000);
