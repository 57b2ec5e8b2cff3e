/**
 * Shared by the int specs of the append function's migrations: a test database per spec file,
 * events with awkward JSON, and the check that a stream's stored hashes are core's chain.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { CHAIN_START, eventHash } from '../core/hash-chain';
import type { PostgresEventStore } from '../postgres/postgres-event-store';

/** A database for the spec file (created before its tests, dropped after); `pool()` reaches it. */
export function specDatabase(prefix: string): { pool: () => Pool } {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase(prefix);
    pool = new Pool({ connectionString: db.url });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });
  return { pool: () => pool };
}

/** Quotes, backslashes, non-ASCII and numbers whose text jsonb rewrites: the hash covers jsonb's text. */
export const awkwardEvent = (n: number) => ({
  id: randomUUID(),
  type: 'Happened',
  data: { n, text: 'é ü "q" \\ back\\slash \u2028 {"x":[1]}', list: [1.5e-7, 1e21, null] },
  metadata: { actor: 'x', note: '[{"a":"b"}]' },
});

/** The stream's stored hashes equal core's chain over the events as read back. */
export async function expectChained(pool: Pool, store: PostgresEventStore, stream: string): Promise<void> {
  const { rows } = await pool.query<{ hash: string }>(
    `SELECT encode(hash, 'hex') AS hash FROM es.events WHERE stream_name = $1 ORDER BY stream_revision`,
    [stream],
  );
  let previous = CHAIN_START;
  const expected = (await store.readStream(stream)).map((e) => (previous = eventHash(previous, e)));
  expect(rows.map((row) => row.hash)).toEqual(expected);
}
