/**
 * PostgreSQL specifics of group commit: concurrent appends really share a transaction, an append
 * PostgreSQL itself rejects fails alone, and appendMany answers per append.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { EventValidationError, WrongExpectedVersionError, decodePosition } from '../core';
import { PostgresEventStore } from './postgres-event-store';

let db: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase('gc');
  store = await PostgresEventStore.connect({ connectionString: db.url, groupCommit: { maxInFlight: 1 } });
}, 60_000);
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const event = (data: unknown = { n: 1 }) => ({ id: randomUUID(), type: 'Happened', data });

it('concurrent appends to different streams share transactions', async () => {
  const results = await Promise.all(
    Array.from({ length: 32 }, (_, i) => store.appendToStream(`gc-share-${i}`, [event()])),
  );
  const transactions = new Set(results.map((r) => decodePosition(r.position, 2)[0]));
  // Submitted in one turn of the event loop, all 32 leave as one group (ADR 0060).
  expect(transactions.size).toBe(1);
}, 30_000);

it('an event PostgreSQL rejects (\\u0000 in jsonb) fails its append only', async () => {
  const results = await Promise.allSettled([
    store.appendToStream('gc-bad-0', [event()]),
    store.appendToStream('gc-bad-1', [event()]),
    store.appendToStream('gc-bad-2', [event({ text: 'nul \u0000 here' })]),
    store.appendToStream('gc-bad-3', [event()]),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(EventValidationError);
  await expect(store.readStream('gc-bad-3')).resolves.toHaveLength(1);
}, 30_000);

it('appendMany returns one outcome per append, in the order given', async () => {
  await store.appendToStream('gc-many-b', [event()]);
  const outcomes = await store.appendMany([
    { streamName: 'gc-many-c', events: [event(), event()] },
    { streamName: 'gc-many-b', events: [event()], expectedRevision: 'no_stream' },
    { streamName: 'gc-many-a', events: [event()], expectedRevision: 'no_stream' },
  ]);
  expect(outcomes[0]).toEqual({ ok: true, value: expect.objectContaining({ nextExpectedRevision: 1n }) });
  expect(outcomes[1]).toEqual({ ok: false, error: expect.any(WrongExpectedVersionError) });
  expect(outcomes[2]).toEqual({ ok: true, value: expect.objectContaining({ nextExpectedRevision: 0n }) });
}, 30_000);
