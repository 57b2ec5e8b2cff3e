/**
 * The store's tables analysed as they grow from empty (ADR 0090).
 *
 * The reads are named statements (ADR 0057, 0083): each connection plans one once and keeps a
 * generic plan until an ANALYZE of a table it reads invalidates it. A plan made while `es.streams`
 * held a few hundred rows joins the stream names by a hash over a sequential scan of the table,
 * which is right at that size and is kept as the table grows: in `npm run bench:e2e` three of the
 * orders service's connections read 53,000 stream rows a call for minutes to find 20. Autovacuum
 * analyses eventually (after its nap, one database at a time) or never (turned off); the store
 * that made the rows does not wait for it. Each time a table has grown by as many rows as it held
 * at its last analysis, the store analyses it: every cached plan is made again for a table at
 * most twice the size it was planned for. Only while the tables are small: a plan's shape turns on
 * their size below a few thousand rows; past {@link ANALYZE_UNTIL_ROWS} an index plan stays right
 * as they grow, an analysis samples 30,000 rows (a third of a second of the server's CPU in a
 * burst), and keeping the statistics current is autovacuum's work, as for any table.
 */
import type { Pool } from 'pg';

/** A table's figures when the keeper looks at it. */
export interface TableFigures {
  table: StoreTable;
  /** `pg_class.reltuples`: the rows at the last analysis or vacuum; -1 before the first. */
  rows: number;
  /** `pg_stat_get_live_tuples`: the rows the statistics count now. */
  live: number;
}

export type StoreTable = 'es.streams' | 'es.events';

/** Fewer new rows than this never call for an analysis: plans over a few pages cost little either way. */
export const ANALYZE_AFTER_ROWS = 500;

/** A table analysed at this size or more is left to autovacuum (the last analysis is at twice it at most). */
export const ANALYZE_UNTIL_ROWS = 20_000;

/**
 * The tables to analyse: those that have grown by as many rows as they held at their last
 * analysis, and by {@link ANALYZE_AFTER_ROWS} at least. Growth, not changes: every append updates
 * a stream row, and a table that only changes keeps the size its plans were made for. The events
 * this process appended since it last saw the tables analysed are a floor for the growth of
 * `es.events`, whose live count reaches the statistics a moment after the commit: a lone writer
 * does not wait for it.
 */
export function tablesToAnalyze(figures: readonly TableFigures[], appendedHere: number): StoreTable[] {
  return figures
    .filter(({ table, rows, live }) => {
      const held = Math.max(rows, 0);
      if (held >= ANALYZE_UNTIL_ROWS) return false;
      const grown = Math.max(live - held, table === 'es.events' ? appendedHere : 0);
      return grown >= Math.max(ANALYZE_AFTER_ROWS, held);
    })
    .map(({ table }) => table);
}

/**
 * Events to append before looking again: an eighth of the largest table, and half the floor at
 * least; never again once every table is past {@link ANALYZE_UNTIL_ROWS}.
 */
export function eventsBeforeNextLook(figures: readonly TableFigures[]): number {
  if (figures.every((figure) => figure.rows >= ANALYZE_UNTIL_ROWS)) return Infinity;
  const rows = Math.max(0, ...figures.map((figure) => figure.rows));
  return Math.max(ANALYZE_AFTER_ROWS / 2, Math.floor(rows / 8));
}

/**
 * What an analysis reads of each table. The payloads (`data`, `metadata`, `hash`) are never a
 * condition of a read and are the costliest to sample (detoasted jsonb): left out.
 */
const ANALYZE_TARGETS: Record<StoreTable, string> = {
  'es.streams': 'es.streams',
  'es.events':
    'es.events (global_position, transaction_id, stream_name, stream_revision, event_id, event_type, created_at)',
};

/** The longest wait between looks, in events, once analyses are seen to change nothing. */
const MAX_LOOK_AFTER = 1_000_000;

/** One process analyses at a time; the others find the lock taken and leave it to it. */
const ANALYZE_LOCK = 'es.analyze';

/**
 * Counts the events this process appends and, every {@link eventsBeforeNextLook} of them, looks at
 * the tables' figures and analyses those due. One look at a time; a failure (a role that does not
 * own the tables gets a warning, not an error) is left for the next look: an append never waits
 * for, or fails with, the statistics.
 */
export class TableStatistics {
  private appendedSinceLook = 0;
  private appendedSinceAnalysis = 0;
  private lookAfter = ANALYZE_AFTER_ROWS / 2;
  private seenRows: number[] | undefined;
  private looking: Promise<void> | undefined;
  private closed = false;
  /** Analyses this process ran (tests and benchmarks read it). */
  analyses = 0;

  constructor(private readonly pool: Pool) {}

  /** Called after a commit with the number of events it wrote. */
  appended(events: number): void {
    this.appendedSinceLook += events;
    this.appendedSinceAnalysis += events;
    if (this.closed || this.looking || this.appendedSinceLook < this.lookAfter) return;
    this.appendedSinceLook = 0;
    this.looking = this.look()
      .catch(() => undefined)
      .finally(() => {
        this.looking = undefined;
      });
  }

  /** Waits for a look in progress; no other starts. */
  async close(): Promise<void> {
    this.closed = true;
    await this.looking;
  }

  private async look(): Promise<void> {
    let figures = await this.figures();
    // Analysed by another process since the last look: count again from there.
    if (this.seenRows && figures.some((figure, index) => figure.rows !== this.seenRows![index]))
      this.appendedSinceAnalysis = 0;
    let lookAfter = eventsBeforeNextLook(figures);
    const due = tablesToAnalyze(figures, this.appendedSinceAnalysis);
    if (due.length > 0 && (await this.analyze(due))) {
      this.analyses += 1;
      this.appendedSinceAnalysis = 0;
      const analysed = await this.figures();
      // Nothing moved (a role that does not own the tables is only warned): ask less often.
      if (analysed.every((figure, index) => figure.rows === figures[index].rows))
        lookAfter = Math.max(lookAfter, Math.min(this.lookAfter * 2, MAX_LOOK_AFTER));
      figures = analysed;
    }
    this.seenRows = figures.map((figure) => figure.rows);
    this.lookAfter = lookAfter;
  }

  private async figures(): Promise<TableFigures[]> {
    const { rows } = await this.pool.query<{ table: StoreTable; rows: number; live: string }>({
      name: 'es.table_figures',
      text: `SELECT t.name AS table, c.reltuples::float8 AS rows, pg_stat_get_live_tuples(c.oid) AS live
               FROM unnest($1::text[]) WITH ORDINALITY t(name, i) JOIN pg_class c ON c.oid = t.name::regclass
              ORDER BY t.i`,
      values: [Object.keys(ANALYZE_TARGETS)],
    });
    return rows.map((row) => ({ table: row.table, rows: row.rows, live: Number(row.live) }));
  }

  /**
   * True when this process held the lock and analysed. The lock is taken here rather than with
   * @prov/platform's `withAdvisoryLock`, which is built on this library and so out of its reach.
   */
  private async analyze(tables: readonly StoreTable[]): Promise<boolean> {
    const client = await this.pool.connect();
    let failure: Error | undefined;
    try {
      const { rows } = await client.query<{ held: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS held',
        [ANALYZE_LOCK],
      );
      if (!rows[0].held) return false;
      try {
        await client.query(`ANALYZE ${tables.map((table) => ANALYZE_TARGETS[table]).join(', ')}`);
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [ANALYZE_LOCK]);
      }
      return true;
    } catch (error) {
      failure = error as Error;
      throw error;
    } finally {
      // A connection that failed here may still hold the session lock: it is closed, not pooled.
      client.release(failure);
    }
  }
}
