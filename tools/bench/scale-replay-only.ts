/**
 * The audit replay alone, in a fresh process, on the log a previous `bench:scale` seeded and kept
 * in SCALE_DATA_DIR: its CPU (process, PostgreSQL) and the peak RSS of a process that did nothing
 * else (in bench:scale the raw read and readAll share the process).
 *
 *   SCALE_DATA_DIR=/tmp/replay-bench/data100k node tools/run-ts.js tools/bench/scale-replay-only.ts
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Pool } from 'pg';
import { PostgresEventStore } from '@prov/event-store';
import { waitForPostgres } from '@prov/event-store/testing';
import { Projector } from '@prov/read-models';
import { startPostgresCluster } from '@prov/testing';
import { measureReplayCost } from './replay-cost';

async function main() {
  const cluster = await startPostgresCluster({ dataDir: process.env.SCALE_DATA_DIR! });
  await waitForPostgres(cluster.url);
  const url = new URL(cluster.url);
  url.pathname = '/scale';
  const pool = new Pool({ connectionString: url.toString(), max: 10 });
  const store = await PostgresEventStore.connect({ pool });
  try {
    await pool.query('DROP SCHEMA IF EXISTS rm_only CASCADE');
    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    const load0 = loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    const cost = await measureReplayCost();
    const t0 = Date.now();
    const projector = new Projector(pool, store, { schema: 'rm_only' });
    await projector.replayToEnd();
    const s = (Date.now() - t0) / 1000;
    const c = await cost();
    const hwm = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)![1];
    console.log(
      `replay-only: ${projector.eventsHandled} events in ${s.toFixed(1)} s = ${Math.round(projector.eventsHandled / s)} events/s; ` +
        `CPU ${c.processCpuSeconds.toFixed(1)} s process + ${c.postgresCpuSeconds.toFixed(1)} s PostgreSQL; ` +
        `RSS before ${rssBefore.toFixed(0)} MB, VmHWM of the process ${(Number(hwm) / 1024).toFixed(0)} MB; load ${load0} -> ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    await pool.query('DROP SCHEMA IF EXISTS rm_only CASCADE');
  } finally {
    await store.close();
    await pool.end();
    await cluster.stop();
  }
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
