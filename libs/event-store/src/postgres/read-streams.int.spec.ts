/**
 * readStreams (ADR 0052): several streams in one statement, each answered exactly as readStream
 * answers it alone — events, StreamNotFoundError (never written, soft-deleted) or
 * StreamDeletedError (tombstoned) — in the order asked, a name asked twice answered twice.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import type { StreamRead } from '../core';
import { PostgresEventStore } from './postgres-event-store';
import { readStreams } from './read-streams';

let db: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase('readstreams');
  store = await PostgresEventStore.connect(db.url);
});

afterAll(async () => {
  await store.close();
  await db.drop();
});

const events = (...types: string[]) => types.map((type) => ({ id: randomUUID(), type, data: { type } }));

async function alone(name: string): Promise<StreamRead> {
  return store.readStream(name).catch((error: Exclude<StreamRead, unknown[]>) => error);
}

describe('PostgresEventStore.readStreams', () => {
  it('given streams in every state, when read together, then each is answered as readStream answers it alone', async () => {
    await store.appendToStream('rs-two', events('A', 'B'));
    await store.appendToStream('rs-one', events('C'));
    await store.appendToStream('rs-deleted', events('D'));
    await store.deleteStream('rs-deleted');
    await store.appendToStream('rs-recreated', events('E'));
    await store.deleteStream('rs-recreated');
    await store.appendToStream('rs-recreated', events('F'));
    await store.appendToStream('rs-tombstoned', events('G'));
    await store.tombstoneStream('rs-tombstoned');
    // Deleted, then tombstoned; and tombstoned before it had any event: deleted, not unknown.
    await store.appendToStream('rs-deleted-tombstoned', events('H'));
    await store.deleteStream('rs-deleted-tombstoned');
    await store.tombstoneStream('rs-deleted-tombstoned');
    await store.tombstoneStream('rs-never-written');
    const names = [
      'rs-two',
      'rs-missing',
      'rs-one',
      'rs-deleted',
      'rs-recreated',
      'rs-tombstoned',
      'rs-two',
      'rs-deleted-tombstoned',
      'rs-never-written',
    ];

    const together = await store.readStreams(names);

    expect(together).toEqual(await Promise.all(names.map(alone)));
    expect(together.map((read) => (Array.isArray(read) ? read.map((e) => e.type) : read.name))).toEqual([
      ['A', 'B'],
      'StreamNotFoundError',
      ['C'],
      'StreamNotFoundError',
      ['F'],
      'StreamDeletedError',
      ['A', 'B'],
      'StreamDeletedError',
      'StreamDeletedError',
    ]);
  });

  it('given an invalid name among valid ones, when read together, then only its own read fails, as readStream would', async () => {
    const names = ['rs-two', '', '$system', 'rs-one'];

    const together = await store.readStreams(names);

    expect(together).toEqual(await Promise.all(names.map(alone)));
    expect(together.map((read) => (Array.isArray(read) ? read.length : read.name))).toEqual([
      2,
      'EventValidationError',
      'EventValidationError',
      1,
    ]);
  });

  it('is a statement each connection prepares once, not one parsed and planned at every call', async () => {
    const one = new Pool({ connectionString: db.url, max: 1 });
    try {
      await readStreams(one, ['rs-one', 'rs-two']);
      await readStreams(one, ['rs-two']);
      const { rows } = await one.query('SELECT name FROM pg_prepared_statements');
      expect(rows.map((row) => row.name)).toEqual(['es.read_streams']);
    } finally {
      await one.end();
    }
  });
});
