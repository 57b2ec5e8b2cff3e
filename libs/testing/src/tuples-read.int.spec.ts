import { Pool } from 'pg';
import { waitFor } from './system/api-client';
import { createTestDatabase, type TestDatabase } from './test-servers';
import { tuplesRead } from './tuples-read';

const ROWS = 1_000;

describe('tuplesRead', () => {
  let db: TestDatabase;
  let observer: Pool;
  let session: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('tuples-read');
    observer = new Pool({ connectionString: db.url, max: 3 });
    session = new Pool({ connectionString: db.url, max: 1 });
    await observer.query(`CREATE TABLE measured (id int PRIMARY KEY, payload text)`);
    await observer.query(`INSERT INTO measured SELECT i, 'row ' || i FROM generate_series(1, $1::int) AS i`, [
      ROWS,
    ]);
  });

  afterAll(async () => {
    await session?.end();
    await observer?.end();
    await db?.drop();
  });

  const sequentialReads = async () => {
    const { rows } = await observer.query<{ n: string }>(
      `SELECT pg_stat_clear_snapshot(), seq_tup_read AS n FROM pg_stat_user_tables WHERE relname = 'measured'`,
    );
    return Number(rows[0]?.n ?? 0);
  };

  it("counts the measured read only, not the observer's earlier reads that its session had not yet published", async () => {
    const client = await observer.connect();
    try {
      // Two scans a moment apart: a session publishes at most once a second, so the second
      // scan's count stays with the session, published only when it has been idle a while.
      await client.query('SELECT count(payload) FROM measured');
      await client.query('SELECT count(payload) FROM measured');
    } finally {
      client.release();
    }
    const read = await tuplesRead(
      { session, observer, schema: 'public', table: 'measured', statistics: 'table' },
      async () => {
        // Whatever the timing, the earlier scans are published by the time the measured read
        // ends: counted either before the read (right) or inside it (the fault this guards).
        await waitFor(sequentialReads, { until: (n) => n >= 2 * ROWS, timeoutMs: 60_000 });
        await session.query('SELECT payload FROM measured WHERE id = 7');
      },
    );
    expect(read).toBe(1);
  }, 90_000);
});
