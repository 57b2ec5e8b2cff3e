/**
 * Where an append's time goes (issue 11): the same appends through the store while parts of
 * `es.append_group` are switched off one after another (the function is rewritten in place on a
 * private cluster, and put back), next to the plain INSERT; then the statements inside one
 * append, timed by auto_explain.
 *
 *   node tools/run-ts.js tools/bench/event-store-breakdown.ts   # BENCH_SECONDS per measurement (default 4)
 *
 * Each variant is measured twice, in forward and then in reverse order, so that a change of the
 * machine's load during the run shows as a difference between the two rounds.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Pool } from 'pg';
import { PostgresEventStore } from '@prov/event-store';
import { privateServer } from './event-store-server';
import * as writers from './event-store-writers';

const { RAW_SCHEMA, measure, perSecond, percentile, rawWriter, storeWriter } = writers;

/** A part of the function switched off: the text it removes, and what takes its place. */
interface Part {
  label: string;
  pattern: RegExp;
  replacement: string;
}

/** Switched off one after another, each on top of the previous ones. */
const PARTS: Part[] = [
  { label: 'without NOTIFY', pattern: /PERFORM pg_notify\([^;]*;/, replacement: '' },
  {
    label: '… and without the hash chain',
    pattern: /es\.event_hash\(/g,
    replacement: 'es.breakdown_no_hash(',
  },
  {
    label: '… and without the idempotency lookup',
    pattern: /SELECT count\(\*\), min\(e\.stream_revision[^;]*;/,
    replacement: 'v_known := 0;',
  },
  {
    label: '… and without the appender lock',
    pattern: /PERFORM pg_advisory_xact_lock_shared\([^;]*;/,
    replacement: '',
  },
];

/** The function as shipped, then with each part found in it switched off (parts it lacks are skipped). */
function variants(original: string): { label: string; sql: string }[] {
  const result = [{ label: 'as shipped', sql: original }];
  let sql = original;
  for (const part of PARTS) {
    if (!part.pattern.test(sql)) {
      console.log(`  (${part.label.replace('… and ', '')}: not in this version's function, skipped)`);
      continue;
    }
    sql = sql.replace(part.pattern, part.replacement);
    result.push({ label: part.label, sql });
  }
  return result;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const cell = (m: writers.Measurement) =>
  `${Math.round(perSecond(m)).toString().padStart(6)} ev/s  p50 ${percentile(m.latenciesMs, 50).toFixed(2)} ms`;

async function measureVariants(store: PostgresEventStore, pool: Pool, original: string): Promise<void> {
  const all = variants(original);
  const rounds = [all, [...all].reverse()];
  let run = 0;
  for (const [round, variants] of rounds.entries()) {
    for (const variant of variants) {
      await pool.query(variant.sql);
      const line: string[] = [];
      for (const writers of [1, 16]) {
        run += 1;
        line.push(`${writers} writer(s): ${cell(await measure(writers, storeWriter(store, `b${run}`, 1)))}`);
      }
      console.log(`  round ${round + 1}  ${variant.label.padEnd(38)} ${line.join('   ')}  (load ${load()})`);
    }
    const raw: string[] = [];
    for (const writers of [1, 16]) {
      run += 1;
      raw.push(`${writers} writer(s): ${cell(await measure(writers, rawWriter(pool, `r${run}`, 1)))}`);
    }
    console.log(`  round ${round + 1}  ${'plain INSERT'.padEnd(38)} ${raw.join('   ')}  (load ${load()})`);
  }
  await pool.query(original);
}

/** Total time per statement inside the append function over `count` single-event appends. */
async function statementTimes(url: string, count: number): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  const client = await pool.connect();
  const totals = new Map<string, number>();
  client.on('notice', (notice: { message?: string }) => {
    const text = notice.message ?? '';
    const duration = /duration: ([\d.]+) ms/.exec(text);
    const query = /Query Text: ([^\n]*)/.exec(text);
    if (!duration || !query) return;
    const key = query[1].trim().slice(0, 70);
    totals.set(key, (totals.get(key) ?? 0) + Number(duration[1]));
  });
  await client.query(`LOAD 'auto_explain'`);
  for (const setting of [
    'log_min_duration = 0',
    'log_analyze = on',
    'log_nested_statements = on',
    'log_level = notice',
  ])
    await client.query(`SET auto_explain.${setting}`);
  const started = process.hrtime.bigint();
  let last = -1n;
  for (let i = 0; i < count; i++) {
    const events = JSON.stringify([
      { id: randomUUID(), type: 'T', data: { n: i, text: 'x'.repeat(150) }, metadata: {} },
    ]);
    const { rows } = await client.query<{ next_expected_revision: string }>(
      `SELECT next_expected_revision::text FROM es.append_group($1::text[], $2::text[], $3::text, false)`,
      [['explained'], [last < 0n ? 'no_stream' : last.toString()], `[${events}]`],
    );
    last = BigInt(rows[0].next_expected_revision);
  }
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  client.release();
  await pool.end();
  console.log(
    `  ${count} appends, ${(wall / count).toFixed(3)} ms each at the client (auto_explain's own cost included)`,
  );
  for (const [query, ms] of [...totals].sort((a, b) => b[1] - a[1]))
    console.log(`    ${(ms / count).toFixed(3).padStart(7)} ms  ${query}`);
}

async function main(): Promise<void> {
  console.log(`Event store append breakdown (load average before: ${load()})`);
  for (const durable of [true, false]) {
    const server = await privateServer(durable);
    const store = await PostgresEventStore.connect({ connectionString: server.url, maxConnections: 20 });
    const pool = new Pool({ connectionString: server.url, max: 20 });
    pool.on('error', () => undefined);
    try {
      await pool.query(RAW_SCHEMA);
      await pool.query(
        `CREATE FUNCTION es.breakdown_no_hash(bytea, text, jsonb, jsonb, bigint) RETURNS bytea
           LANGUAGE sql IMMUTABLE AS $$ SELECT '\\x'::bytea $$`,
      );
      const { rows } = await pool.query<{ sql: string }>(
        `SELECT pg_get_functiondef('es.append_group(text[],text[],text,boolean)'::regprocedure) AS sql`,
      );
      console.log(`\n${server.label}`);
      await measureVariants(store, pool, rows[0].sql);
      await statementTimes(server.url, 2000);
    } finally {
      await store.close();
      await pool.end();
      await server.cleanup();
    }
  }
  console.log(`\nload average after: ${load()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
