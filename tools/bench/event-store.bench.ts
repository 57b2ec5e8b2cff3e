/**
 * Throughput of the PostgreSQL event store next to Emmett's PostgreSQL event store and plain
 * INSERTs into a table of the same shape, all on the same server in the same run, so what an
 * append adds (stream lock, expected-revision and idempotency checks, NOTIFY) shows as ratios
 * rather than as absolute numbers that depend on the machine and its load.
 *
 *   npm run bench:event-store
 *
 * Starts two private clusters, one with fsync on (durable commits) and one with fsync off, and
 * runs every scenario on each with synchronous_commit=on. BENCH_DATABASE_URL instead names one
 * scratch database to use; BENCH_SECONDS sets the length of each write scenario.
 */
import { cpus, loadavg } from 'node:os';
import { Pool } from 'pg';
import { PostgresEventStore } from '@prov/event-store';
import { readRawTable, readWholeLog } from './event-store-reads';
import { type Server, privateServer } from './event-store-server';
import {
  type EmmettStore,
  type Measurement,
  RAW_SCHEMA,
  SECONDS,
  STREAM_LENGTH,
  emmettWriter,
  measure,
  perSecond,
  percentile,
  rawWriter,
  storeWriter,
} from './event-store-writers';

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const latency = (m: Measurement) =>
  `${fmt(percentile(m.latenciesMs, 50), 1)}/${fmt(percentile(m.latenciesMs, 99), 1)}`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Emmett ships as ESM with a CommonJS build; it is a dev dependency of this benchmark only. */
async function openEmmett(pool: Pool, url: string): Promise<{ store: EmmettStore; doesNotExist: string }> {
  const postgres = (await import('@event-driven-io/emmett-postgresql')) as unknown as {
    getPostgreSQLEventStore(url: string, options: unknown): EmmettStore;
  };
  const core = (await import('@event-driven-io/emmett')) as unknown as { STREAM_DOES_NOT_EXIST: string };
  const store = postgres.getPostgreSQLEventStore(url, { connectionOptions: { pool } });
  return { store, doesNotExist: core.STREAM_DOES_NOT_EXIST };
}

async function runOn(server: Server, rows: string[][], withReads: boolean): Promise<void> {
  const store = await PostgresEventStore.connect({ connectionString: server.url, maxConnections: 20 });
  const pool = new Pool({ connectionString: server.url, max: 20 });
  const emmettPool = new Pool({ connectionString: server.url, max: 20 });
  // pool.end() does not wait for the sockets: the server stopping next must not crash the run.
  for (const p of [pool, emmettPool]) p.on('error', () => undefined);
  const emmett = await openEmmett(emmettPool, server.url);
  try {
    await pool.query(RAW_SCHEMA);
    // Open all connections up front, so no scenario pays for connection set-up; Emmett creates its schema here.
    const warm = (p: Pool) => Promise.all(Array.from({ length: 20 }, () => p.query('SELECT pg_sleep(0.05)')));
    await Promise.all([warm(pool), warm(store.pool), warm(emmettPool)]);
    await emmettWriter(emmett.store, emmett.doesNotExist, 'warm', 1)(0);
    let run = 0;
    for (const [writers, batch] of [
      [1, 1],
      [16, 1],
      [1, 50],
      [16, 50],
    ]) {
      run += 1;
      const ours = await measure(writers, storeWriter(store, String(run), batch));
      const theirs = await measure(
        writers,
        emmettWriter(emmett.store, emmett.doesNotExist, String(run), batch),
      );
      const raw = await measure(writers, rawWriter(pool, String(run), batch));
      rows.push([
        batch === 1 ? 'append, single events' : 'append, batches of 50',
        server.label,
        String(writers),
        fmt(perSecond(ours)),
        fmt(perSecond(theirs)),
        fmt(perSecond(raw)),
        fmt(perSecond(ours) / perSecond(raw), 2),
        fmt(perSecond(ours) / perSecond(theirs), 2),
        latency(ours),
        latency(theirs),
        latency(raw),
      ]);
      console.log(`  done: ${server.label}, batch ${batch}, ${writers} writer(s) (load ${load()})`);
    }
    if (withReads) {
      // Fresh statistics for both tables, so neither read runs on a plan made for an empty table.
      await pool.query('ANALYZE es.events; ANALYZE bench_raw.events');
      const read = await readWholeLog(store);
      const rawRead = await readRawTable(pool);
      rows.push([
        'readAll, pages of 1000',
        server.label,
        '1',
        fmt(perSecond(read)),
        '-',
        fmt(perSecond(rawRead)),
        fmt(perSecond(read) / perSecond(rawRead), 2),
        '-',
        latency(read),
        '-',
        latency(rawRead),
      ]);
    }
  } finally {
    await store.close();
    await emmett.store.close().catch(() => undefined);
    await Promise.all([pool.end(), emmettPool.end().catch(() => undefined)]);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  console.log('Event store benchmark: ours (PostgreSQL adapter) vs Emmett-PostgreSQL 0.42 vs raw INSERT');
  console.log(`  machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}`);
  console.log(
    `  ${SECONDS}s per write scenario; each writer appends to its own streams (${STREAM_LENGTH} events each)`,
  );
  console.log(
    '  baseline: plain INSERT into a table with the same columns and indexes, no lock/checks/NOTIFY',
  );
  console.log(`  load average before: ${load()} (other processes compete for the cores)\n`);
  const rows: string[][] = [];
  const external = process.env.BENCH_DATABASE_URL;
  const targets = external
    ? [async () => ({ label: 'given', url: external, cleanup: async () => undefined })]
    : [() => privateServer(true), () => privateServer(false)];
  for (const [index, open] of targets.entries()) {
    const server = await open();
    try {
      await runOn(server, rows, index === targets.length - 1);
    } finally {
      await server.cleanup();
    }
  }
  const header = [
    'scenario',
    'server',
    'writers',
    'ours ev/s',
    'emmett ev/s',
    'raw ev/s',
    'ours/raw',
    'ours/emmett',
    'ours p50/p99 ms',
    'emmett p50/p99',
    'raw p50/p99',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
  console.log(`\n  load average after: ${load()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
