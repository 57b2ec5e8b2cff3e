import type { Pool } from 'pg';
import { waitFor } from './system/api-client';

/**
 * Which of PostgreSQL's cumulative statistics count a table's reads: `table` the rows it gave
 * (by sequential scan and by index fetch), `indexes` the entries its indexes gave, summed.
 */
export type TuplesReadStatistics = 'table' | 'indexes';

const COUNTERS: Record<TuplesReadStatistics, string> = {
  table: `SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)
            FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2`,
  indexes: `SELECT sum(idx_tup_read) FROM pg_stat_user_indexes WHERE schemaname = $1 AND relname = $2`,
};

export interface TuplesReadOptions {
  /** A pool of one session (max: 1) that `read` queries through: a session flushes only its own counts. */
  session: Pool;
  /** Another pool, which reads the statistics without adding to them; its sessions publish their counts before the read. */
  observer: Pool;
  schema: string;
  table: string;
  statistics: TuplesReadStatistics;
}

/**
 * Makes every session of the pool publish the counts it still holds. A session publishes at most
 * once a second, and later when the server is busy: a spec's earlier reads through the observer
 * (its seeding, a walk of every page) would otherwise land inside the measured window and count
 * as the measured read's (seen in CI: 52,178 rows for a page that reads about 3,000).
 */
async function flushSessions(pool: Pool): Promise<void> {
  // Holding as many clients as the pool has at once reaches each idle session once.
  const clients = await Promise.all(
    Array.from({ length: Math.max(pool.totalCount, 1) }, () => pool.connect()),
  );
  try {
    for (const client of clients) {
      await client.query('SELECT pg_stat_force_next_flush()');
      // The forced flush happens when the session goes idle after that statement.
      await client.query('SELECT 1');
    }
  } finally {
    for (const client of clients) client.release();
  }
}

/**
 * How many rows (or index entries) of a table the server read while `read` ran: a plan's cost in
 * rows, which a spec can bound where a timing could not be. The statistics reach the shared view
 * only when the session flushes them, so the figure is waited for (bounded) until it moves.
 */
export async function tuplesRead(options: TuplesReadOptions, read: () => Promise<unknown>): Promise<number> {
  const { session, observer, schema, table, statistics } = options;
  const total = async () => {
    // Without clearing it, the observer's session would answer from its cached snapshot.
    const { rows } = await observer.query<{ n: string }>(
      `SELECT pg_stat_clear_snapshot(), (${COUNTERS[statistics]}) AS n`,
      [schema, table],
    );
    return Number(rows[0].n);
  };
  await flushSessions(observer);
  await session.query('SELECT pg_stat_force_next_flush()');
  const before = await total();
  await read();
  await session.query('SELECT pg_stat_force_next_flush()');
  // The forced flush happens when the session goes idle after that statement; once a further
  // statement is answered, it has.
  await session.query('SELECT 1');
  const after = await waitFor(total, {
    until: (n) => n > before,
    timeoutMs: 30_000,
    description: statistics === 'table' ? 'table statistics' : 'index statistics',
  });
  return after - before;
}
