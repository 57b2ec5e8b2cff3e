import type { Pool } from 'pg';
import {
  ANALYZE_AFTER_ROWS,
  ANALYZE_UNTIL_ROWS,
  eventsBeforeNextLook,
  type TableFigures,
  TableStatistics,
  tablesToAnalyze,
} from './table-statistics';

const streams = (rows: number, live: number): TableFigures => ({ table: 'es.streams', rows, live });
const events = (rows: number, live: number): TableFigures => ({ table: 'es.events', rows, live });

describe('tablesToAnalyze', () => {
  it('given tables never analysed, analyses them once they hold the floor', () => {
    expect(tablesToAnalyze([streams(-1, 499), events(-1, 499)], 0)).toEqual([]);
    expect(tablesToAnalyze([streams(-1, 500), events(-1, 1500)], 0)).toEqual(['es.streams', 'es.events']);
  });

  it('given analysed tables, analyses each once it has grown by as many rows as it held', () => {
    expect(tablesToAnalyze([streams(2_000, 3_999), events(6_000, 8_000)], 0)).toEqual([]);
    expect(tablesToAnalyze([streams(2_000, 4_000), events(6_000, 8_000)], 0)).toEqual(['es.streams']);
  });

  it('given small analysed tables, still waits for the floor', () => {
    expect(tablesToAnalyze([streams(10, 400)], 0)).toEqual([]);
  });

  it('leaves a table analysed at its last size or more to autovacuum', () => {
    const last = ANALYZE_UNTIL_ROWS - 1;
    expect(tablesToAnalyze([streams(last, 2 * last), events(last, 2 * last)], 0)).toEqual([
      'es.streams',
      'es.events',
    ]);
    const past = ANALYZE_UNTIL_ROWS;
    expect(tablesToAnalyze([streams(past, 10 * past), events(past, 10 * past)], 10 * past)).toEqual([]);
  });

  it("takes this process's appends as a floor for the growth of the events, not of the streams", () => {
    expect(tablesToAnalyze([streams(-1, 0), events(-1, 0)], ANALYZE_AFTER_ROWS)).toEqual(['es.events']);
    // Appends to streams that exist: the events grow, the streams do not.
    expect(tablesToAnalyze([streams(4_000, 4_000), events(12_000, 12_000)], 12_000)).toEqual(['es.events']);
    expect(tablesToAnalyze([streams(4_000, 4_000), events(12_000, 12_000)], 11_999)).toEqual([]);
  });
});

describe('eventsBeforeNextLook', () => {
  it('looks every eighth of the largest table, and every half floor while the tables are very small', () => {
    expect(eventsBeforeNextLook([streams(-1, 0), events(-1, 0)])).toBe(ANALYZE_AFTER_ROWS / 2);
    expect(eventsBeforeNextLook([streams(800, 800), events(1_600, 1_600)])).toBe(ANALYZE_AFTER_ROWS / 2);
    expect(eventsBeforeNextLook([streams(8_000, 8_000), events(16_000, 16_000)])).toBe(2_000);
  });

  it('never looks again once every table is past the last size it analyses', () => {
    expect(eventsBeforeNextLook([streams(ANALYZE_UNTIL_ROWS - 1, 0), events(60_000, 0)])).toBe(7_500);
    expect(eventsBeforeNextLook([streams(ANALYZE_UNTIL_ROWS, 0), events(60_000, 0)])).toBe(Infinity);
  });
});

/** A pool answering the figures query with `figures()` and recording the other statements. */
function fakePool(figures: () => TableFigures[], lockHeld = true) {
  const sent: string[] = [];
  const answer = async (statement: string | { name?: string; text: string }) => {
    const text = typeof statement === 'string' ? statement : statement.text;
    sent.push(typeof statement === 'string' ? statement : (statement.name ?? text));
    if (text.includes('pg_class'))
      return { rows: figures().map((f) => ({ table: f.table, rows: f.rows, live: String(f.live) })) };
    if (text.includes('pg_try_advisory_lock')) return { rows: [{ held: lockHeld }] };
    return { rows: [] };
  };
  const released: unknown[] = [];
  const pool = {
    query: answer,
    connect: async () => ({ query: answer, release: (error?: unknown) => released.push(error) }),
  } as unknown as Pool;
  return { pool, sent, released };
}

async function settled(statistics: TableStatistics): Promise<void> {
  await (statistics as unknown as { looking?: Promise<void> }).looking;
}

describe('TableStatistics', () => {
  it('does not look before half the floor of events was appended, then analyses what is due', async () => {
    const { pool, sent, released } = fakePool(() => [streams(-1, 0), events(-1, 0)]);
    const statistics = new TableStatistics(pool);
    statistics.appended(ANALYZE_AFTER_ROWS / 2 - 1);
    expect(sent).toEqual([]);
    statistics.appended(1);
    await settled(statistics);
    expect(sent).toEqual(['es.table_figures']); // 250 appended: not due yet
    statistics.appended(ANALYZE_AFTER_ROWS / 2);
    await settled(statistics);
    expect(sent.slice(1)).toEqual([
      'es.table_figures',
      'SELECT pg_try_advisory_lock(hashtext($1)) AS held',
      expect.stringMatching(/^ANALYZE es\.events \(global_position, .*\)$/),
      'SELECT pg_advisory_unlock(hashtext($1))',
      'es.table_figures',
    ]);
    expect(statistics.analyses).toBe(1);
    expect(released).toEqual([undefined]);
  });

  it('leaves the analysis to the process that holds the lock', async () => {
    const { pool, sent } = fakePool(() => [streams(-1, 600), events(-1, 600)], false);
    const statistics = new TableStatistics(pool);
    statistics.appended(ANALYZE_AFTER_ROWS);
    await settled(statistics);
    expect(sent.some((statement) => statement.startsWith('ANALYZE'))).toBe(false);
    expect(statistics.analyses).toBe(0);
  });

  it('looks less and less often when analyses change nothing (a role that does not own the tables)', async () => {
    const { pool, sent } = fakePool(() => [streams(-1, 0), events(-1, 0)]);
    const statistics = new TableStatistics(pool);
    const analysesAfter = async (appended: number) => {
      for (let i = 0; i < appended; i += 50) {
        statistics.appended(50);
        await settled(statistics);
      }
      return sent.filter((statement) => statement.startsWith('ANALYZE')).length;
    };
    expect(await analysesAfter(500)).toBe(1);
    expect(await analysesAfter(500)).toBe(2);
    expect(await analysesAfter(500)).toBe(2); // the next look waits for 1,000
    expect(await analysesAfter(500)).toBe(3);
    expect(await analysesAfter(2_000)).toBe(4);
  });

  it('never fails an append: a failing look is dropped and the next one tries again', async () => {
    let fail = true;
    const { pool } = fakePool(() => {
      if (fail) throw new Error('connection lost');
      return [streams(-1, 600), events(-1, 600)];
    });
    const statistics = new TableStatistics(pool);
    expect(() => statistics.appended(ANALYZE_AFTER_ROWS)).not.toThrow();
    await settled(statistics);
    fail = false;
    statistics.appended(ANALYZE_AFTER_ROWS / 2);
    await settled(statistics);
    expect(statistics.analyses).toBe(1);
  });
});
