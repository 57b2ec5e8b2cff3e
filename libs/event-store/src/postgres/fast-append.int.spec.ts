/**
 * Migration 8 (ADR 0046) replaces the group append's chained insert and drops the foreign key
 * from events to streams. Chains written by migration 7's function (single and multi-event
 * appends) must go on under migration 8 with the same hashes, retries of old appends must still
 * be recognised, and an append the function refuses must leave neither a stream row nor events.
 */
import { DuplicateEventIdsError, WrongExpectedVersionError } from '../core';
import { awkwardEvent as event, expectChained, specDatabase } from '../testing/append-migrations';
import { PostgresEventStore } from './postgres-event-store';
import { migrateEventStoreSchema } from './schema/migrate';
import { MIGRATIONS } from './schema/migrations';

const database = specDatabase('fastappend');

it('continues chains and recognises retries of appends made before migration 8', async () => {
  const pool = database.pool();
  await migrateEventStoreSchema(
    pool,
    MIGRATIONS.filter((m) => m.version <= 7),
  );
  const single = [event(0)];
  const several = [event(0), event(1), event(2)];
  await pool.query(`SELECT * FROM es.append_batch($1::text[], $2::text[], $3::text[])`, [
    ['old-1', 'old-2'],
    ['no_stream', 'no_stream'],
    [JSON.stringify(single), JSON.stringify(several)],
  ]);
  await expect(migrateEventStoreSchema(pool)).resolves.toEqual(
    expect.objectContaining({ applied: [8, 9, 10, 11, 12] }),
  );
  const store = await PostgresEventStore.connect({ pool });
  try {
    const retried = await store.appendToStream('old-2', several, { expectedRevision: 'no_stream' });
    expect(retried.nextExpectedRevision).toBe(2n);
    // One statement: a single event, many events, and a new stream, each chained on its own.
    const outcomes = await store.appendMany([
      { streamName: 'old-1', events: [event(1)], expectedRevision: 0n },
      {
        streamName: 'old-2',
        events: Array.from({ length: 60 }, (_, n) => event(3 + n)),
        expectedRevision: 2n,
      },
      { streamName: 'new-1', events: [event(0), event(1)], expectedRevision: 'no_stream' },
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true]);
    await expect(store.verifyChain()).resolves.toEqual({ ok: true, streamsChecked: 3, eventsChecked: 67 });
    for (const stream of ['old-1', 'old-2', 'new-1']) await expectChained(pool, store, stream);
  } finally {
    await store.close();
  }
}, 60_000);

it('leaves no stream row and no events behind an append it refuses', async () => {
  const pool = database.pool();
  const store = await PostgresEventStore.connect({ pool });
  try {
    await expect(
      store.appendToStream('refused-1', [event(0), event(1)], { expectedRevision: 3n }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    const { rows } = await pool.query<{ streams: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM es.streams WHERE stream_name = 'refused-1') AS streams,
              (SELECT count(*)::int FROM es.events WHERE stream_name = 'refused-1') AS events`,
    );
    expect(rows[0]).toEqual({ streams: 0, events: 0 });
  } finally {
    await store.close();
  }
}, 60_000);

it('gives an id reused under a matching revision its verdict, and the rest of its group theirs', async () => {
  const store = await PostgresEventStore.connect({ pool: database.pool() });
  try {
    const reused = event(0);
    await store.appendToStream('reuse-1', [reused, event(1)], { expectedRevision: 'no_stream' });
    // The lookup is skipped for this append (its exact revision matches): the unique index fails
    // the statement, and each append runs again alone with the lookup.
    const outcomes = await store.appendMany([
      { streamName: 'reuse-0', events: [event(0)], expectedRevision: 'no_stream' },
      { streamName: 'reuse-1', events: [reused], expectedRevision: 1n },
      { streamName: 'reuse-2', events: [event(0), event(1)], expectedRevision: 'no_stream' },
    ]);
    expect(outcomes[0]).toEqual({ ok: true, value: expect.objectContaining({ nextExpectedRevision: 0n }) });
    expect(outcomes[1]).toEqual({ ok: false, error: expect.any(DuplicateEventIdsError) });
    expect((outcomes[1] as { error: DuplicateEventIdsError }).error).toMatchObject({
      reason: 'different-revisions',
      duplicateIds: [reused.id],
    });
    expect(outcomes[2]).toEqual({ ok: true, value: expect.objectContaining({ nextExpectedRevision: 1n }) });
    expect(await store.readStream('reuse-1')).toHaveLength(2);
  } finally {
    await store.close();
  }
}, 60_000);
