/**
 * Migration 9 (ADR 0057) sends a group's events as one JSON text to `es.append_group`. Chains and
 * retries of appends made through migration 8's `es.append_batch` must go on under it with the
 * same hashes, awkward JSON must arrive as it was sent, and each append of a group keeps its own
 * verdict. `readStream`'s named statements (stream-read.ts) must keep a soft delete's bound when a
 * read starts below it.
 */
import { StreamDeletedError, WrongExpectedVersionError } from '../core';
import { awkwardEvent as event, expectChained, specDatabase } from '../testing/append-migrations';
import { PostgresEventStore } from './postgres-event-store';
import { migrateEventStoreSchema } from './schema/migrate';
import { MIGRATIONS } from './schema/migrations';

const database = specDatabase('groupappend');

it('continues chains and recognises retries of appends made before migration 9', async () => {
  const pool = database.pool();
  await migrateEventStoreSchema(
    pool,
    MIGRATIONS.filter((m) => m.version <= 8),
  );
  const several = [event(0), event(1), event(2)];
  await pool.query(`SELECT * FROM es.append_batch($1::text[], $2::text[], $3::text[], false)`, [
    ['old-1', 'old-2'],
    ['no_stream', 'no_stream'],
    [JSON.stringify([event(0)]), JSON.stringify(several)],
  ]);
  await expect(migrateEventStoreSchema(pool)).resolves.toEqual(
    expect.objectContaining({ applied: [9, 10, 11, 12] }),
  );
  const store = await PostgresEventStore.connect({ pool: database.pool() });
  try {
    const retried = await store.appendToStream('old-2', several, { expectedRevision: 'no_stream' });
    expect(retried.nextExpectedRevision).toBe(2n);
    const sent = [event(3), event(4)];
    const outcomes = await store.appendMany([
      { streamName: 'old-2', events: sent, expectedRevision: 2n },
      { streamName: 'old-1', events: [event(1)], expectedRevision: 0n },
      { streamName: 'new-1', events: [event(0)], expectedRevision: 'no_stream' },
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true]);
    const stored = (await store.readStream('old-2')).slice(3);
    expect(stored.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata }))).toEqual(sent);
    for (const stream of ['old-1', 'old-2', 'new-1']) await expectChained(pool, store, stream);
    await expect(store.verifyChain()).resolves.toEqual({ ok: true, streamsChecked: 3, eventsChecked: 8 });
  } finally {
    await store.close();
  }
}, 60_000);

it('gives each append of one group its own verdict', async () => {
  const store = await PostgresEventStore.connect({ pool: database.pool() });
  try {
    await store.appendToStream('verdict-1', [event(0)]);
    await store.tombstoneStream('verdict-2');
    const outcomes = await store.appendMany([
      { streamName: 'verdict-1', events: [event(1)], expectedRevision: 5n },
      { streamName: 'verdict-2', events: [event(0)], expectedRevision: 'any' },
      { streamName: 'verdict-3', events: [event(0), event(1)], expectedRevision: 'no_stream' },
    ]);
    expect((outcomes[0] as { error: unknown }).error).toBeInstanceOf(WrongExpectedVersionError);
    expect((outcomes[1] as { error: unknown }).error).toBeInstanceOf(StreamDeletedError);
    expect(outcomes[2]).toEqual({ ok: true, value: expect.objectContaining({ nextExpectedRevision: 1n }) });
  } finally {
    await store.close();
  }
}, 60_000);

it('reads a soft-deleted and rewritten stream from below its bound without the hidden events', async () => {
  const store = await PostgresEventStore.connect({ pool: database.pool() });
  try {
    await store.appendToStream('soft-1', [event(0), event(1), event(2)]);
    await store.deleteStream('soft-1');
    await store.appendToStream('soft-1', [event(3), event(4)]);
    const revisions = async (options: Parameters<PostgresEventStore['readStream']>[1]) =>
      (await store.readStream('soft-1', options)).map((e) => Number(e.revision));
    expect(await revisions({ fromRevision: 1n })).toEqual([3, 4]);
    expect(await revisions({ fromRevision: 4n })).toEqual([4]);
    expect(await revisions({ direction: 'backwards' })).toEqual([4, 3]);
    expect(await revisions({ direction: 'backwards', fromRevision: 2n })).toEqual([]);
  } finally {
    await store.close();
  }
}, 60_000);
