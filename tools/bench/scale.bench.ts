/**
 * Scale: seeds assignments (4.1 events each, 3 more per earlier change) through the store's batch
 * append into a private cluster, then measures, in the same run: a raw keyset SELECT of the whole
 * log (the baseline), readAll over it, the audit replay (every read model rebuilt into a fresh
 * schema) with the bench process's peak RSS, p99 read latencies on the rebuilt read models, and
 * the complete job over them (scale-job.ts).
 *
 *   npm run bench:scale                       # SCALE_ASSIGNMENTS=1000000 by default
 *   SCALE_ASSIGNMENTS=100000 npm run bench:scale
 *   SCALE_CHANGES_PER_ASSIGNMENT=2            # 10.1 events per assignment: 10 M events at 1 M
 *   SCALE_SEED_BATCH=1000 SCALE_SEED_IN_FLIGHT=3   # assignments per appendMany call, calls at a time
 *   SCALE_REPLAY=0    # with SCALE_DATA_DIR: measure reads and job on the previous run's read models
 *   SCALE_JOB=0       # without the complete job
 *   SCALE_READS=0     # without the read latencies
 *   SCALE_JOB=process # the job's tasks run by the orders service's classes in this process
 *                     # (scale-job.ts) instead of the services started on the store (scale-services.ts)
 *   SCALE_JOB_CONNECTION=4   # the connection the job reads back and verifies (default 3): a run
 *                            # after another on the same store verifies orders the first left Executed
 */
import { cpus, loadavg } from 'node:os';
import { Client, Pool } from 'pg';
import { type Position, PostgresEventStore } from '@prov/event-store';
import { waitForPostgres } from '@prov/event-store/testing';
import { ensureReadModelSchema, LIVE_SCHEMA, Projector } from '@prov/read-models';
import { startPostgresCluster } from '@prov/testing';
import { runCompleteJob } from './scale-job';
import { runCompleteJobOnServices } from './scale-services';
import { scaleRoleModel } from './scale-model';
import { measureReplayCost } from './replay-cost';
import { measureReads } from './scale-reads';
import { seed, withSeedSettings } from './scale-seed';
import { traceStatements } from './statement-trace';

const ASSIGNMENTS = Number(process.env.SCALE_ASSIGNMENTS ?? 1_000_000);
const IDENTITIES = Math.max(1, Math.floor(ASSIGNMENTS / 10));
const CHANGES = Number(process.env.SCALE_CHANGES_PER_ASSIGNMENT ?? 0);
const SEED_BATCH = Number(process.env.SCALE_SEED_BATCH ?? 1_000);
const SEED_IN_FLIGHT = Number(process.env.SCALE_SEED_IN_FLIGHT ?? 3);
const PAGE = 5_000;
const DATA_DIR = process.env.SCALE_DATA_DIR;
const JOB_CONNECTION = Number(process.env.SCALE_JOB_CONNECTION ?? 3);

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function rawScan(pool: Pool): Promise<number> {
  let after = ['0', '0'];
  let rows = 0;
  for (;;) {
    const page = await pool.query<{ t: string; g: string }>(
      `SELECT e.transaction_id::text AS t, e.global_position::text AS g, e.stream_name, e.stream_revision,
              e.event_id, e.event_type, e.data, e.metadata, e.created_at
         FROM es.events e WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
        ORDER BY e.transaction_id, e.global_position LIMIT ${PAGE}`,
      after,
    );
    rows += page.rows.length;
    if (page.rows.length < PAGE) return rows;
    const last = page.rows[page.rows.length - 1];
    after = [last.t, last.g];
  }
}

async function readAllScan(store: PostgresEventStore): Promise<number> {
  let after: Position | undefined;
  let events = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE });
    events += page.events.length;
    after = page.lastPosition ?? after;
    if (page.isEnd) return events;
  }
}

/** Reads and the complete job, on the read models in `schema`; printed as they come. */
async function readsAndJob(
  pool: Pool,
  store: PostgresEventStore,
  schema: string,
  url: string,
  adminUrl: string,
): Promise<void> {
  if (process.env.SCALE_READS !== '0') {
    for (const line of await measureReads(pool, schema, IDENTITIES)) console.log(line);
    console.log(`  load after the reads: ${load()}`);
  }
  if (process.env.SCALE_JOB === '0') return;
  if (process.env.SCALE_JOB !== 'process') {
    const options = { schema, url, adminUrl, connection: JOB_CONNECTION, log: console.log };
    await runCompleteJobOnServices(pool, options);
    console.log(`  load after the job: ${load()}`);
    return;
  }
  await runCompleteJob(pool, store, scaleRoleModel(), {
    schema,
    url,
    connection: JOB_CONNECTION,
    log: console.log,
  });
  console.log(`  load after the job: ${load()}`);
}

async function main(): Promise<void> {
  console.log(
    `Scale benchmark: ${fmt(ASSIGNMENTS)} assignments, ${fmt(IDENTITIES)} identities, ${CHANGES} earlier changes per assignment`,
  );
  console.log(`  machine: ${cpus().length} cores, node ${process.version}, load before: ${load()}`);
  // SCALE_DATA_DIR keeps the cluster (and the seeded log) for the next run, which then skips the seed.
  const cluster = await startPostgresCluster(DATA_DIR ? { dataDir: DATA_DIR } : {});
  await waitForPostgres(cluster.url);
  const admin = new Client({ connectionString: cluster.url });
  await admin.connect();
  if ((await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'scale'`)).rowCount === 0)
    await admin.query('CREATE DATABASE scale');
  await admin.end();
  const url = new URL(cluster.url);
  url.pathname = '/scale';
  const pool = new Pool({ connectionString: url.toString(), max: 10 });
  pool.on('error', () => undefined);
  const store = await PostgresEventStore.connect({ pool });
  try {
    let t0 = process.hrtime.bigint();
    let reported = 0;
    const existing = await pool.query('SELECT 1 FROM es.events LIMIT 1');
    if (existing.rowCount === 0) {
      const options = {
        assignments: ASSIGNMENTS,
        identities: IDENTITIES,
        changes: CHANGES,
        model: scaleRoleModel(),
        perBatch: SEED_BATCH,
        inFlight: SEED_IN_FLIGHT,
      };
      const events = await withSeedSettings(pool, () =>
        seed(store, options, (done) => {
          if (done - reported >= ASSIGNMENTS / 10) {
            reported = done;
            console.log(`  seeded ${fmt(done)} assignments (${fmt(seconds(t0))} s, load ${load()})`);
          }
        }),
      );
      console.log(
        `  seed: ${fmt(events)} events in ${fmt(seconds(t0), 1)} s (${fmt(events / seconds(t0))} events/s)`,
      );
      await pool.query('VACUUM ANALYZE es.events');
    } else console.log(`  the log of ${DATA_DIR} is seeded already: not seeding again`);
    if (process.env.SCALE_REPLAY === '0') {
      // A job run that was killed left the replayed read models under the live schema's name.
      const left = await pool.query(
        `SELECT to_regclass('rm_scale.assignments') IS NULL AND to_regclass('${LIVE_SCHEMA}.assignments') IS NOT NULL AS t`,
      );
      if (left.rows[0].t) await pool.query(`ALTER SCHEMA ${LIVE_SCHEMA} RENAME TO rm_scale`);
      const replayed = await pool.query(`SELECT to_regclass('rm_scale.assignments') AS t`);
      if (replayed.rows[0].t === null) {
        console.log('  not replaying, and no read models of a previous run: nothing more to measure');
        return;
      }
      console.log(
        `  not replaying: the read models of the previous run (rm_scale), indexes brought up to date`,
      );
      const client = await pool.connect();
      await ensureReadModelSchema(client, 'rm_scale').finally(() => client.release());
      await pool.query('ANALYZE rm_scale.orders');
      return await readsAndJob(pool, store, 'rm_scale', url.toString(), cluster.url);
    }
    await pool.query('DROP SCHEMA IF EXISTS rm_scale CASCADE');

    t0 = process.hrtime.bigint();
    const raw = await rawScan(pool);
    const rawRate = raw / seconds(t0);

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const trace = process.env.SCALE_TRACE ? traceStatements() : undefined;
    const projector = new Projector(pool, store, { schema: 'rm_scale' });
    const loadBefore = load();
    const cost = await measureReplayCost();
    t0 = process.hrtime.bigint();
    await projector.replayToEnd();
    const replaySeconds = seconds(t0);
    clearInterval(sampler);
    const replayCost = await cost();
    const replayRate = projector.eventsHandled / replaySeconds;
    const statements = trace?.stop();
    // The path of every replay before ADR 0030, on the same log in the same run (slow: opt-in).
    let exact: { rate: number; seconds: number } | undefined;
    if (process.env.SCALE_EXACT) {
      const before = new Projector(pool, store, { schema: 'rm_exact' });
      await pool.query('DROP SCHEMA IF EXISTS rm_exact CASCADE');
      t0 = process.hrtime.bigint();
      await before.replayToEnd({ bulk: false });
      exact = { rate: before.eventsHandled / seconds(t0), seconds: seconds(t0) };
      await pool.query('DROP SCHEMA rm_exact CASCADE');
    }
    t0 = process.hrtime.bigint();
    const read = await readAllScan(store);
    const readRate = read / seconds(t0);

    console.log(`\n  log: ${fmt(raw)} events`);
    console.log(`  raw keyset SELECT of the log (pages of ${PAGE}): ${fmt(rawRate)} events/s (baseline)`);
    console.log(
      `  readAll (pages of ${PAGE}): ${fmt(readRate)} events/s, ${fmt(readRate / rawRate, 2)} of raw`,
    );
    console.log(
      `  replay (all read models, fresh schema): ${fmt(projector.eventsHandled)} events in ${fmt(replaySeconds, 1)} s = ` +
        `${fmt(replayRate)} events/s, ${fmt(replayRate / rawRate, 2)} of raw; peak RSS of the replaying process ${fmt(peakRss / 2 ** 20)} MB`,
    );
    console.log(
      `  replay cost: CPU ${fmt(replayCost.processCpuSeconds, 1)} s in the replaying process, ` +
        `${fmt(replayCost.postgresCpuSeconds, 1)} s in PostgreSQL (${fmt((1e6 * replayCost.processCpuSeconds) / projector.eventsHandled, 1)} + ` +
        `${fmt((1e6 * replayCost.postgresCpuSeconds) / projector.eventsHandled, 1)} µs per event); VmHWM ${fmt(replayCost.peakRssMb)} MB` +
        `${replayCost.peakReset ? ' (reset before the replay)' : ' (not reset: includes the raw read)'}; load ${loadBefore} before, ${load()} after`,
    );
    if (exact)
      console.log(
        `  replay by the exact path (no bulk load): ${fmt(exact.rate)} events/s in ${fmt(exact.seconds, 1)} s; ` +
          `bulk/exact ${fmt(replayRate / exact.rate, 2)}`,
      );
    if (statements) console.log(`  replay statements (wall time, overlapping):\n${statements}`);
    console.log(`  load after the replay: ${load()}`);
    await readsAndJob(pool, store, 'rm_scale', url.toString(), cluster.url);
  } finally {
    await store.close();
    await pool.end();
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
