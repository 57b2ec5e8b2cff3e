/**
 * The audit replay alone, in a fresh process, on the log a previous `bench:scale` seeded and kept
 * in SCALE_DATA_DIR: its CPU (process, PostgreSQL) and the peak RSS of a process that did nothing
 * else (in bench:scale the raw read and readAll share the process).
 *
 *   SCALE_DATA_DIR=/tmp/replay-bench/data100k node tools/run-ts.js tools/bench/scale-replay-only.ts
 *   SCALE_TRACE=1                       # also the wall time of each kind of statement
 *   REPLAY_CPU_PROFILE=/tmp/replay.cpuprofile   # and a V8 profile of the replaying process
 *   SCALE_REPLAY_COMPILED=<tree>        # the replay in a process of its own that runs <tree>'s
 *                                       # compiled dist/ as the services do, with their heap
 *                                       # limits (replay-process.cjs; build it first:
 *                                       # npx tsc -p tsconfig.build.json)
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { Pool } from 'pg';
import { PostgresEventStore } from '@prov/event-store';
import { waitForPostgres } from '@prov/event-store/testing';
import { Projector } from '@prov/read-models';
import { SERVICE_HEAP_FLAGS, startPostgresCluster } from '@prov/testing';
import { measureReplayCost } from './replay-cost';
import { traceStatements } from './statement-trace';

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Starts a V8 CPU profile of this process; the returned function writes it to `file`. */
async function profile(file: string | undefined): Promise<() => Promise<void>> {
  if (!file) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/** What the replaying process measured of itself (see replay-process.cjs). */
interface ReplayProcessReport {
  events: number;
  seconds: number;
  cpuSeconds: number;
  rssBeforeMb: number;
  vmHwmMb: number;
  heapPeakMb: number;
}

/** The replay run by `tree`'s compiled code in a process of its own, as a service runs it. */
function replayInCompiledProcess(tree: string, url: string): Promise<ReplayProcessReport> {
  return new Promise((resolve, reject) => {
    // The heap limits every service runs with (ADR 0063): a replay must finish inside them.
    const child = spawn(process.execPath, [...SERVICE_HEAP_FLAGS, join(__dirname, 'replay-process.cjs')], {
      env: { ...process.env, REPLAY_URL: url, REPLAY_SCHEMA: 'rm_only', REPLAY_TREE: tree },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop();
      if (code === 0 && line) resolve(JSON.parse(line) as ReplayProcessReport);
      else reject(new Error(`the replaying process ended with ${code}: ${out}`));
    });
  });
}

async function main() {
  const cluster = await startPostgresCluster({ dataDir: process.env.SCALE_DATA_DIR! });
  await waitForPostgres(cluster.url);
  const url = new URL(cluster.url);
  url.pathname = '/scale';
  const pool = new Pool({ connectionString: url.toString(), max: 10 });
  // The cluster's stop ends idle sessions (57P01): not an error of the replay.
  pool.on('error', () => undefined);
  const store = await PostgresEventStore.connect({ pool });
  try {
    await pool.query('DROP SCHEMA IF EXISTS rm_only CASCADE');
    await pool.query('CHECKPOINT');
    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    let heapPeak = 0;
    const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 100);
    const load0 = load();
    const trace = process.env.SCALE_TRACE ? traceStatements() : undefined;
    const cost = await measureReplayCost();
    const compiled = process.env.SCALE_REPLAY_COMPILED;
    if (compiled) {
      const r = await replayInCompiledProcess(compiled, url.toString());
      const c = await cost();
      clearInterval(sampler);
      console.log(
        `replay-only (compiled, own process): ${r.events} events in ${r.seconds.toFixed(1)} s = ${Math.round(r.events / r.seconds)} events/s; ` +
          `CPU ${r.cpuSeconds.toFixed(1)} s process + ${c.postgresCpuSeconds.toFixed(1)} s PostgreSQL ` +
          `(${((1e6 * r.cpuSeconds) / r.events).toFixed(1)} + ${((1e6 * c.postgresCpuSeconds) / r.events).toFixed(1)} µs per event); ` +
          `RSS before ${r.rssBeforeMb.toFixed(0)} MB, VmHWM of the process ${r.vmHwmMb.toFixed(0)} MB, ` +
          `peak heap used ${r.heapPeakMb.toFixed(0)} MB; load ${load0} -> ${load()}`,
      );
      trace?.stop(); // it sees this process's statements only: none of the replay's
      await pool.query('DROP SCHEMA IF EXISTS rm_only CASCADE');
      return;
    }
    const stopProfile = await profile(process.env.REPLAY_CPU_PROFILE);
    const t0 = Date.now();
    const projector = new Projector(pool, store, { schema: 'rm_only' });
    await projector.replayToEnd();
    const s = (Date.now() - t0) / 1000;
    await stopProfile();
    const c = await cost();
    clearInterval(sampler);
    const hwm = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)![1];
    console.log(
      `replay-only: ${projector.eventsHandled} events in ${s.toFixed(1)} s = ${Math.round(projector.eventsHandled / s)} events/s; ` +
        `CPU ${c.processCpuSeconds.toFixed(1)} s process + ${c.postgresCpuSeconds.toFixed(1)} s PostgreSQL ` +
        `(${((1e6 * c.processCpuSeconds) / projector.eventsHandled).toFixed(1)} + ${((1e6 * c.postgresCpuSeconds) / projector.eventsHandled).toFixed(1)} µs per event); ` +
        `RSS before ${rssBefore.toFixed(0)} MB, VmHWM of the process ${(Number(hwm) / 1024).toFixed(0)} MB, ` +
        `peak heap used ${(heapPeak / 2 ** 20).toFixed(0)} MB; load ${load0} -> ${load()}`,
    );
    console.log(
      `  PostgreSQL's CPU by process: ${c.postgresByProcess
        .filter((r) => r.seconds >= 0.05)
        .map((r) => `${r.process} ${r.seconds.toFixed(1)} s`)
        .join(', ')}`,
    );
    if (trace) console.log(`  wall time per kind of statement:\n${trace.stop()}`);
    const vacuums = await pool.query<{ name: string; vacuums: number; analyses: number }>(
      `SELECT relname AS name, autovacuum_count::int AS vacuums, autoanalyze_count::int AS analyses
         FROM pg_stat_user_tables WHERE schemaname = 'rm_only' AND autovacuum_count + autoanalyze_count > 0`,
    );
    console.log(
      `  autovacuum of the replayed tables during the replay: ${vacuums.rows.map((r) => `${r.name} ${r.vacuums} vacuums, ${r.analyses} analyses`).join('; ') || 'none'}`,
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
