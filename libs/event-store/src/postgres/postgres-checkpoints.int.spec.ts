import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { type Position, encodePosition } from '../core';
import { PostgresCheckpointStore, storeCheckpointInTransaction } from './postgres-checkpoint-store';

describe('PostgreSQL checkpoints written inside a caller transaction', () => {
  let db: TestDatabase;
  let checkpoints: PostgresCheckpointStore;
  const clients: Client[] = [];
  const p = (n: number): Position => encodePosition(BigInt(n), 0n);
  const client = async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    db = await createTestDatabase('es_cp');
    checkpoints = await PostgresCheckpointStore.connect(db.url);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await checkpoints.close();
    await db.drop();
  });

  it('moves from the expected position, reports a repeat as unchanged and anything else as a conflict', async () => {
    const c = await client();
    expect(await storeCheckpointInTransaction(c, 'cas', { expected: undefined, position: p(1) })).toEqual({
      status: 'stored',
    });
    expect(await storeCheckpointInTransaction(c, 'cas', { expected: undefined, position: p(1) })).toEqual({
      status: 'unchanged',
    });
    expect(await storeCheckpointInTransaction(c, 'cas', { expected: p(1), position: p(2) })).toEqual({
      status: 'stored',
    });
    expect(await storeCheckpointInTransaction(c, 'cas', { expected: p(1), position: p(3) })).toEqual({
      status: 'conflict',
      current: p(2),
    });
    expect(await checkpoints.load('cas')).toBe(p(2));
  });

  it('is undone with the transaction that wrote it', async () => {
    const c = await client();
    await c.query('BEGIN');
    await storeCheckpointInTransaction(c, 'rollback', { expected: undefined, position: p(5) });
    await c.query('ROLLBACK');
    expect(await checkpoints.load('rollback')).toBeUndefined();
  });

  it('lets only one of two racing instances advance the checkpoint', async () => {
    await checkpoints.store('race', p(10));
    const [first, second] = [await client(), await client()];
    await first.query('BEGIN');
    await second.query('BEGIN');
    expect(await storeCheckpointInTransaction(first, 'race', { expected: p(10), position: p(11) })).toEqual({
      status: 'stored',
    });
    // The second instance waits on the row lock until the first commits, then sees the new value.
    const pending = storeCheckpointInTransaction(second, 'race', { expected: p(10), position: p(12) });
    await first.query('COMMIT');
    expect(await pending).toEqual({ status: 'conflict', current: p(11) });
    await second.query('ROLLBACK');
    expect(await checkpoints.load('race')).toBe(p(11));
  });
});
