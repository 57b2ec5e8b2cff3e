/**
 * Throughput of the PostgreSQL event store next to plain INSERTs into a table of the same shape,
 * so the cost of what an append adds (stream lock, expected-revision and idempotency checks,
 * NOTIFY) is visible as a ratio rather than as an absolute number that depends on the machine.
 *
 *   npm run bench:event-store
 *
 * Starts a throwaway cluster (fsync=off, like the test cluster) unless BENCH_DATABASE_URL names
 * a scratch database to use instead. BENCH_SECONDS sets the length of each write scenario.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Client, Pool } from 'pg';
import { type EventData, type Position, PostgresEventStore } from '@prov/event-store';
import { waitForPostgres } from '@prov/event-store/testing';
import { type RunningPostgres, startPostgresCluster } from '@prov/testing';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const STREAM_LENGTH = 100; // events per stream before a writer moves on, like a busy aggregate
const READ_LIMIT = 300_000;
const READ_SECONDS = 10;

interface Measurement {
  events: number;
  seconds: number;
  latenciesMs: number[];
}

const perSecond = (m: Measurement) => m.events / m.seconds;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

function payload(writer: number, n: number): EventData {
  return {
    id: randomUUID(),
    type: 'AssignmentRequested',
    data: {
      assignmentId: randomUUID(),
      identityId: `identity-${writer}-${n}`,
      roleId: 'role-finance-approver',
      reason: 'quarterly access review follow-up',
      validUntil: '2027-01-01T00:00:00Z',
    },
    metadata: { correlationId: randomUUID(), actor: 'bench', occurredAt: new Date().toISOString() },
  };
}

/** Runs `writers` loops for SECONDS; each calls `append(batch)` and counts what it wrote. */
async function measure(writers: number, append: (writer: number) => Promise<number>): Promise<Measurement> {
  const latenciesMs: number[] = [];
  let events = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (Date.now() < deadline) {
        const t0 = process.hrtime.bigint();
        const written = await append(writer); // not `events += await ...`: that would lose concurrent increments
        events += written;
        latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9, latenciesMs };
}

/** Appends through the event store, each writer to its own streams, with exact expected revisions. */
function storeWriter(store: PostgresEventStore, run: string, batch: number) {
  const state = new Map<number, { stream: number; revision: bigint | undefined }>();
  return async (writer: number) => {
    const s = state.get(writer) ?? { stream: 0, revision: undefined };
    state.set(writer, s);
    const events = Array.from({ length: batch }, (_, i) => payload(writer, i));
    const result = await store.appendToStream(`bench${run}-w${writer}-${s.stream}`, events, {
      expectedRevision: s.revision ?? 'no_stream',
    });
    s.revision = result.nextExpectedRevision;
    if (s.revision + 1n >= BigInt(STREAM_LENGTH))
      Object.assign(s, { stream: s.stream + 1, revision: undefined });
    return batch;
  };
}

/** The same rows through a plain INSERT (one statement per batch), no checks, no lock, no NOTIFY. */
function rawWriter(pool: Pool, run: string, batch: number) {
  const revisions = new Map<number, number>();
  return async (writer: number) => {
    const next = revisions.get(writer) ?? 0;
    revisions.set(writer, next + batch);
    const stream = `raw${run}-w${writer}-${Math.floor(next / STREAM_LENGTH)}`;
    const events = Array.from({ length: batch }, (_, i) => payload(writer, i));
    await pool.query(
      `INSERT INTO bench_raw.events (stream_name, stream_revision, event_id, event_type, data, metadata)
       SELECT $1, r, i, t, d, m FROM unnest($2::bigint[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) AS u (r, i, t, d, m)`,
      [
        stream,
        events.map((_, i) => next + i),
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data)),
        events.map((e) => JSON.stringify(e.metadata)),
      ],
    );
    return batch;
  };
}

async function readWholeLog(store: PostgresEventStore): Promise<Measurement> {
  const latenciesMs: number[] = [];
  let after: Position | undefined;
  let events = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + READ_SECONDS * 1000;
  while (events < READ_LIMIT && Date.now() < deadline) {
    const t0 = process.hrtime.bigint();
    const page = await store.readAll({ after, maxCount: 1000 });
    latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    events += page.events.length;
    after = page.lastPosition ?? after;
    if (page.isEnd) break;
  }
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9, latenciesMs };
}

async function readRawTable(pool: Pool): Promise<Measurement> {
  const latenciesMs: number[] = [];
  let after = '0';
  let events = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + READ_SECONDS * 1000;
  while (events < READ_LIMIT && Date.now() < deadline) {
    const t0 = process.hrtime.bigint();
    const { rows } = await pool.query<{ global_position: string }>(
      // Qualified in ORDER BY: a bare name would mean the text output column and sort as text.
      `SELECT e.global_position::text AS global_position, e.stream_name, e.stream_revision::text AS stream_revision,
              e.event_id::text AS event_id, e.event_type, e.data, e.metadata, e.created_at
         FROM bench_raw.events e WHERE e.global_position > $1 ORDER BY e.global_position LIMIT 1000`,
      [after],
    );
    latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    events += rows.length;
    if (rows.length < 1000) break;
    after = rows[rows.length - 1].global_position;
  }
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9, latenciesMs };
}

const RAW_SCHEMA = `
  DROP SCHEMA IF EXISTS bench_raw CASCADE;
  CREATE SCHEMA bench_raw;
  CREATE TABLE bench_raw.events (
    global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_name text NOT NULL, stream_revision bigint NOT NULL, event_id uuid NOT NULL, event_type text NOT NULL,
    data jsonb NOT NULL, metadata jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_name, stream_revision), UNIQUE (stream_name, event_id));
  CREATE INDEX ON bench_raw.events (transaction_id, global_position);`;

async function scratchDatabase(): Promise<{
  url: string;
  cluster?: RunningPostgres;
  cleanup(): Promise<void>;
}> {
  if (process.env.BENCH_DATABASE_URL)
    return { url: process.env.BENCH_DATABASE_URL, cleanup: async () => undefined };
  const cluster = await startPostgresCluster();
  await waitForPostgres(cluster.url);
  const name = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  return { url: url.toString(), cluster, cleanup: () => cluster.stop() };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const database = await scratchDatabase();
  const store = await PostgresEventStore.connect({ connectionString: database.url, maxConnections: 20 });
  const pool = new Pool({ connectionString: database.url, max: 20 });
  const endPool = async () => {
    await pool.end();
    await new Promise((resolve) => setTimeout(resolve, 200)); // pool.end() does not wait for the sockets
  };
  try {
    await pool.query(RAW_SCHEMA);
    // Open all connections up front, so no scenario pays for connection set-up.
    const warm = (p: Pool) => Promise.all(Array.from({ length: 20 }, () => p.query('SELECT pg_sleep(0.05)')));
    await Promise.all([warm(pool), warm(store.pool)]);
    const settings = await pool.query<{ version: string; fsync: string; sync: string }>(
      `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
              current_setting('synchronous_commit') AS sync`,
    );
    const { version, fsync, sync } = settings.rows[0];
    console.log('Event store benchmark (PostgreSQL adapter)');
    console.log(`  machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}`);
    console.log(
      `  PostgreSQL ${version}, fsync=${fsync}, synchronous_commit=${sync}` +
        (database.cluster
          ? ' (throwaway cluster started by the bench: numbers ignore disk flush cost)'
          : ' (BENCH_DATABASE_URL)'),
    );
    console.log(
      `  ${SECONDS}s per write scenario; writers each append to their own streams (${STREAM_LENGTH} events per stream)`,
    );
    console.log(
      '  baseline: plain INSERT into a table with the same columns and indexes, no lock/checks/NOTIFY',
    );
    console.log(
      `  load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (other processes compete for the cores)\n`,
    );

    const header = [
      'scenario',
      'writers',
      'batch',
      'ours ev/s',
      'raw ev/s',
      'ours/raw',
      'ours p50/p99 ms',
      'raw p50/p99 ms',
    ];
    const rows: string[][] = [];
    let run = 0;
    for (const batch of [1, 50]) {
      for (const writers of [1, 16]) {
        run += 1;
        const ours = await measure(writers, storeWriter(store, String(run), batch));
        const raw = await measure(writers, rawWriter(pool, String(run), batch));
        rows.push([
          batch === 1 ? 'append, single events' : 'append, batches of 50',
          String(writers),
          String(batch),
          fmt(perSecond(ours)),
          fmt(perSecond(raw)),
          fmt(perSecond(ours) / perSecond(raw), 2),
          `${fmt(percentile(ours.latenciesMs, 50), 1)} / ${fmt(percentile(ours.latenciesMs, 99), 1)}`,
          `${fmt(percentile(raw.latenciesMs, 50), 1)} / ${fmt(percentile(raw.latenciesMs, 99), 1)}`,
        ]);
        console.log(`  done: batch ${batch}, ${writers} writer(s)`);
      }
    }
    // Fresh statistics for both tables, so neither read runs on a plan made for an empty table.
    await pool.query('ANALYZE es.events; ANALYZE bench_raw.events');
    const read = await readWholeLog(store);
    const rawRead = await readRawTable(pool);
    rows.push([
      'readAll, pages of 1000',
      '1',
      '1000',
      fmt(perSecond(read)),
      fmt(perSecond(rawRead)),
      fmt(perSecond(read) / perSecond(rawRead), 2),
      `${fmt(percentile(read.latenciesMs, 50), 1)} / ${fmt(percentile(read.latenciesMs, 99), 1)}`,
      `${fmt(percentile(rawRead.latenciesMs, 50), 1)} / ${fmt(percentile(rawRead.latenciesMs, 99), 1)}`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
    for (const row of rows) console.log(line(row));
    console.log(
      `\n  load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `  read: ${fmt(read.events)} events through readAll, ${fmt(rawRead.events)} rows by keyset SELECT on the raw table`,
    );
  } finally {
    await store.close();
    await endPool();
    await database.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
