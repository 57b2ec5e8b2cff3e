/**
 * What PostgreSQL did per order, statement by statement (`BENCH_PG_STATEMENTS=1`): the bench's
 * cluster loads pg_stat_statements, the counts are reset when a run starts and printed when it
 * ends, per order: executor time, calls, plans made and their time, buffers touched and WAL
 * records. The bench's own few statements (its count and its read-model watch) are among them.
 * Buffers per order showed the live projector reading whole tables to lock a batch's
 * rows (ADR 0082); plans per call, the statements planned at every call (ADR 0083). The times
 * are wall times, lock waits included, not CPU; the CPU per process is the bench's CPU table.
 */
import type { Pool } from 'pg';

/** The cluster's settings when statements are counted: top-level statements only, as sent. */
export const STATEMENT_COUNTING = {
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'top',
  // Which statements are planned at every call, and what that costs (an unnamed statement is).
  'pg_stat_statements.track_planning': 'on',
} as const;

interface StatementRow {
  query: string;
  ms: number;
  calls: string;
  plans: string;
  plan_ms: number;
  buffers: string;
  wal: string;
}

/**
 * A statement's start and the schema-qualified tables and functions it names: many of the
 * engine's begin alike (the appends, the live writes of different projections).
 */
export function statementLabel(query: string): string {
  const text = query.replace(/\s+/g, ' ').trim();
  const names = [
    ...new Set([...text.matchAll(/\b(?:FROM|INTO|UPDATE|JOIN) ((?:es|rm)\.\w+)/gi)].map((m) => m[1])),
  ];
  return `${text.slice(0, 40)} … ${names.slice(0, 6).join(', ')}`;
}

/**
 * The counts of a run, or nothing when the cluster does not count (`enabled` false): `start` when
 * the run starts, `take` when it ends; `take` reads the counts at once (before the bench's own
 * queries of the run's results), and gives the text to print, or undefined.
 */
export function statementCounter(pool: Pool, enabled: boolean) {
  return {
    async start(): Promise<void> {
      if (!enabled) return;
      await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await pool.query('SELECT pg_stat_statements_reset()');
    },
    async take(run: string, orders: number): Promise<string | undefined> {
      return enabled ? formatStatements(pool, run, orders) : undefined;
    },
  };
}

/** The `top` statements by executor time since the reset, per order of the run. */
async function formatStatements(pool: Pool, run: string, orders: number, top = 12): Promise<string> {
  const { rows } = await pool.query<StatementRow>(
    `SELECT query, total_exec_time AS ms, calls, plans, total_plan_time AS plan_ms, shared_blks_hit + shared_blks_read AS buffers,
            wal_records AS wal
       FROM pg_stat_statements
      WHERE query NOT LIKE '%pg_stat_statements%'
      ORDER BY total_exec_time DESC LIMIT $1`,
    [top],
  );
  const per = (value: number | string, digits: number) =>
    (Number(value) / orders).toFixed(digits).padStart(8);
  const lines = rows.map(
    (row) =>
      `  ${per(row.ms, 3)} ${per(row.calls, 3)} ${per(row.plans, 3)} ${per(row.plan_ms, 3)} ` +
      `${per(row.buffers, 1)} ${per(row.wal, 1)}  ` +
      statementLabel(row.query),
  );
  return [
    `PostgreSQL statements of the ${run}, per order (executor ms, calls, plans, planning ms, buffers, WAL records):`,
    ...lines,
  ].join('\n');
}
