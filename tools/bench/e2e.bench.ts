/**
 * npm run bench:e2e — requests through to 8 Executed, every service its own process: orders/s,
 * latency (p50/p99), peak RSS; then a sustained run at a fixed rate and the rebuild rate.
 *
 * Target (BENCH_TARGET): `ldap` (default) — a slapd started here with the memberof and refint
 * overlays, the sample's `ldap_staff` entitlement (an inetOrgPerson account and its membership
 * in cn=staff); before the engine runs, the same work straight into a fresh slapd with the same
 * client library (ldapts) is measured as the baseline, and the ratio printed. `sql` — the
 * sample's `hr_app_reader` on the HR application's PostgreSQL tables (no baseline).
 *
 * Options (environment): BENCH_REQUESTS (default 1000), BENCH_CONCURRENCY (32), BENCH_WARMUP
 * (requests sent, and Executed, before the burst, default 3000; 0 measures the burst on
 * services that have just started, as before 2026-12-04; the baseline adds as many accounts
 * first), BENCH_BULK
 * (requests sent afterwards through POST /api/assignments/batch, default BENCH_REQUESTS; 0 skips;
 * just before it, with the services idle, the raw baseline of the same work is measured too: as
 * many accounts, into a group holding as many members as the engine's by then),
 * BENCH_RAW_CONNECTIONS (4, the baseline's LDAP connections), BENCH_SUSTAINED_RATE (requests/s,
 * default 50; 0 skips the sustained run), BENCH_SUSTAINED_SECONDS (default 60; the issue's
 * 10-minute run is 600), BENCH_IDENTITIES (identities registered before the burst, at least
 * those the runs request; the warm-up and the burst request for the first registered, so more
 * than the services remember puts them out of mind, as in a large population), BENCH_REPLAY (1;
 * 0 skips the rebuild), BENCH_CPU_PROFILE_DIR (each
 * service writes a V8 CPU profile there, and the PostgreSQL statements it sent in the burst, or in
 * the sustained run with BENCH_CPU_PROFILE_RUN=sustained, the bulk with =bulk),
 * BENCH_PG_STATEMENTS (1: the cluster counts its statements, the engine's and the bench's few,
 * printed per order after the burst and the sustained run, tools/bench/pg-statements.ts; 0, the
 * default, leaves it out),
 * BENCH_TRACE_RATIO (0; above 0 the services export that share of their traces to a receiver
 * here, and the hops between order generation and the report are shown from them), LOG_LEVEL of
 * the services (warn).
 * After the burst and the sustained run: CPU per order of every process (tools/bench/process-cpu.ts),
 * latency by stage and hop by hop (tools/bench/e2e-hops.ts), the sustained run also minute by
 * minute (tools/bench/e2e-periods.ts) and its verdict
 * against the p99 < 250 ms, from each request's sending to its Executed event. After the
 * burst and the sustained run, how many commands carried their single requests
 * (tools/bench/edge-commands.ts). The single requests go over node:http
 * (tools/bench/kept-alive-client.ts), the same requests as fetch's at a third of its CPU.
 * The system it starts is tools/bench/e2e-system.ts; the registration, the single requests and
 * the waits are tools/bench/e2e-requests.ts.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { waitFor } from '@prov/testing';
import {
  BENCH_SESSION_OPTIONS,
  eventHops,
  sentToExecuted,
  formatHops,
  orderTimes,
  ReadModelWatch,
  traceHops,
} from './e2e-hops';
import { formatPeriods, latencyByPeriod } from './e2e-periods';
import {
  executionLatencies,
  peakRssMiB,
  sendAtRate,
  stageLatencies,
  summarize,
  sustainedVerdict,
} from './e2e-measurements';
import { formatEdgeCommands, readEdgeCommands } from './edge-commands';
import {
  executed,
  MAX_BATCH,
  registerIdentities,
  sendConcurrently,
  servicesIdle,
  singleRequests,
  warmUp,
} from './e2e-requests';
import { startBenchSystem } from './e2e-system';
import { formatCpuTable, measureCpu, sessionNames } from './process-cpu';
import { formatCpuPeriods, recordCpuByPeriod } from './e2e-cpu-periods';
import { measureRawSlapd } from './raw-slapd';
import { statementCounter } from './pg-statements';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
/** The sample role model's corp_ldap connection binds as cn=provisioning,<this>. */
const SAMPLE_LDAP_BASE_DN = 'dc=example,dc=com';
const SERVICES = ['gateway', 'requests', 'review', 'orders', 'agent', 'projector'] as const;

async function main(): Promise<void> {
  const target = process.env.BENCH_TARGET ?? 'ldap';
  if (!['ldap', 'sql'].includes(target)) throw new Error(`BENCH_TARGET must be ldap or sql, not '${target}'`);
  const requests = env('BENCH_REQUESTS', 1000);
  const concurrency = env('BENCH_CONCURRENCY', 32);
  const rate = env('BENCH_SUSTAINED_RATE', 50);
  const sustainedSeconds = rate > 0 ? env('BENCH_SUSTAINED_SECONDS', 60) : 0;
  // Before the burst, not measured: see warmUp (e2e-requests.ts).
  const warmup = env('BENCH_WARMUP', 3000);
  const entitlementId = target === 'ldap' ? 'ldap_staff' : 'hr_app_reader';

  /** The directory's own rate for `count` accounts after `after`, printed; undefined for the SQL target. */
  const rawBaseline = async (count: number, after: number, label: string) => {
    if (target !== 'ldap') return undefined;
    const connections = env('BENCH_RAW_CONNECTIONS', 4);
    const result = await measureRawSlapd({
      baseDn: SAMPLE_LDAP_BASE_DN,
      count,
      warmup: after,
      inFlight: concurrency,
      connections,
      group: 'staff',
    });
    console.log(
      `${label} (ldapts, ${concurrency} in flight, ${connections} connections): ${result.count} accounts + memberships (after ${after} unmeasured) in ${result.seconds.toFixed(1)} s = ${result.perSecond.toFixed(0)}/s; ` +
        `CPU ms per account: slapd ${result.slapdCpuMs.toFixed(2)}, client ${result.clientCpuMs.toFixed(2)}`,
    );
    return result;
  };

  // The baseline first, alone on the machine's share of the cores it will later share with the engine.
  const raw = await rawBaseline(requests, warmup, 'raw slapd');

  const profileDir = process.env.BENCH_CPU_PROFILE_DIR
    ? resolve(process.env.BENCH_CPU_PROFILE_DIR)
    : undefined;
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    // The services start and stop profiling when these appear: none may be left from a run before.
    for (const marker of ['burst-started', 'burst-ended']) rmSync(join(profileDir, marker), { force: true });
  }
  const traceRatio = env('BENCH_TRACE_RATIO', 0);
  const countStatements = env('BENCH_PG_STATEMENTS', 0) === 1;
  const bench = await startBenchSystem({
    target,
    profileDir,
    traceRatio,
    baseDn: SAMPLE_LDAP_BASE_DN,
    countStatements,
  });
  const { system, traces, gatewayMetrics } = bench;
  try {
    const admin = system.client('admin');
    const requester = system.client('requester');
    // One assignment per identity and entitlement: every request is for an identity of its own,
    // all registered (in batches of 1000) before anything is measured.
    const bulk = env('BENCH_BULK', requests);
    const sustainedTotal = Math.round(rate * sustainedSeconds);
    // Identities in the order of the runs: warm-up, burst, sustained, bulk.
    const registered = Math.max(warmup + requests + sustainedTotal + bulk, env('BENCH_IDENTITIES', 0));
    const identities = Array.from({ length: registered }, (_, i) => `bench.${i}`);
    await registerIdentities(admin, identities);
    const { request, sentAt, close: closeSingles } = singleRequests(system, identities, entitlementId);
    // Counted in the read model directly: the API pages its lists (at most 5000 a call).
    // A pool, so that a dropped connection is replaced instead of ending the run.
    // Named, so that its backend's CPU is counted as the bench's, not the engine's.
    const readModel = new Pool({
      connectionString: system.databaseUrl,
      max: 1,
      application_name: 'bench (count query)',
      options: BENCH_SESSION_OPTIONS,
    });
    readModel.on('error', (error) => console.error(`read-model connection lost: ${error.message}`));
    const statements = statementCounter(readModel, countStatements);
    // Counts exclude the warm-up's, which are Executed before anything is measured.
    const waitExecuted = (count: number, timeoutMs: number) => executed(readModel, warmup + count, timeoutMs);

    // The registration's reactions (each identity settled against the birthright rules) run on
    // after its answer, the longer the faster it was answered: wait until the services are idle,
    // so that the burst's CPU per order is the burst's own work.
    await servicesIdle(system, SERVICES);
    if (warmup > 0) {
      await warmUp(request, warmup, concurrency, () => executed(readModel, warmup, 600_000));
      await servicesIdle(system, SERVICES);
    }

    // 1. Burst: N requests with bounded concurrency, until all are Executed.
    // From here on the services count their PostgreSQL statements (tools/bench/cpu-profile.cjs).
    const profiled = process.env.BENCH_CPU_PROFILE_RUN ?? 'burst';
    if (!['burst', 'sustained', 'bulk'].includes(profiled))
      throw new Error(`BENCH_CPU_PROFILE_RUN must be burst, sustained or bulk, not '${profiled}'`);
    const profileStart = (run: string) => {
      if (profileDir && run === profiled) writeFileSync(join(profileDir, 'burst-started'), '');
    };
    const profileEnd = async (run: string) => {
      if (!profileDir || run !== profiled) return;
      writeFileSync(join(profileDir, 'burst-ended'), '');
      await waitFor(async () => readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).length, {
        until: (n) => n >= SERVICES.length,
        timeoutMs: 30_000,
        description: 'a CPU profile from every service',
      });
      console.log(`CPU profiles and PostgreSQL statements of the ${run} run in ${profileDir}`);
    };
    profileStart('burst');
    await statements.start();
    const cpuGroups = () => ({
      services: Object.fromEntries(SERVICES.map((service) => [service, system.pid(service)])),
      backends: () => sessionNames(readModel),
    });
    const startCpu = () => measureCpu(cpuGroups());
    const cpu = await startCpu();
    const burstCommands = await readEdgeCommands(gatewayMetrics);
    const started = Date.now();
    const burstIds = await sendConcurrently(request, warmup, requests, concurrency);
    const burstSent = await readEdgeCommands(gatewayMetrics);
    await waitExecuted(requests, 600_000);
    const burstSeconds = (Date.now() - started) / 1000;
    const cpuTable = await cpu.stop(requests);
    const burstStatements = await statements.take('burst', requests);
    console.log(formatEdgeCommands(burstCommands, burstSent));
    console.log(
      summarize(
        `burst (${requests} ${entitlementId} requests, concurrency ${concurrency})`,
        await executionLatencies(system.databaseUrl, burstIds),
        burstSeconds,
      ),
    );
    console.log(`by stage: ${await stageLatencies(system.databaseUrl, burstIds)}`);
    console.log(
      formatHops('burst, hop by hop', eventHops(await orderTimes(system.databaseUrl, burstIds), sentAt)),
    );
    // CPU time per order by process: on a shared machine the clearest picture of where the work is.
    console.log(formatCpuTable(cpuTable, availableParallelism()));
    if (burstStatements) console.log(burstStatements);
    await profileEnd('burst');
    if (raw) {
      const engineRate = requests / burstSeconds;
      console.log(
        `engine/raw slapd: ${engineRate.toFixed(1)} / ${raw.perSecond.toFixed(0)} = ${(engineRate / raw.perSecond).toFixed(3)}`,
      );
    }

    // 2. Sustained: a fixed rate for a fixed time; the latencies show whether the system keeps up.
    if (sustainedSeconds > 0) {
      const sustainedIds: string[] = [];
      profileStart('sustained');
      await statements.start();
      const sustainedCpu = await startCpu();
      const cpuByMinute = await recordCpuByPeriod(cpuGroups(), 60_000);
      const sustainedCommands = await readEdgeCommands(gatewayMetrics);
      const sustainedStart = Date.now();
      // Its own connection: the count query's waits must not delay its polls.
      const shown = new ReadModelWatch(system.databaseUrl);
      const { sentSeconds, answered } = await sendAtRate(rate, sustainedTotal, (i) =>
        request(warmup + requests + i).then((id) => {
          sustainedIds.push(id);
          shown.add(id);
        }),
      );
      await answered;
      const sustainedSent = await readEdgeCommands(gatewayMetrics);
      // A rate the engine cannot keep up with is a result too: report what was Executed.
      await waitExecuted(requests + sustainedTotal, 600_000).catch((error: Error) =>
        console.log(`sustained: ${error.message}`),
      );
      const seconds = (Date.now() - sustainedStart) / 1000;
      // Before the latency queries below: their sessions would count as the engine's PostgreSQL.
      // Before the watch stops too: a session that ended is counted as the engine's ("ended
      // sessions"), and the watch's polls during a backlog were 4 ms per order of it.
      const sustainedCpuTable = await sustainedCpu.stop(sustainedTotal);
      const cpuMinutes = await cpuByMinute.stop();
      const sustainedStatements = await statements.take('sustained run', sustainedTotal);
      await shown.stop();
      await profileEnd('sustained');
      const latencies = await executionLatencies(system.databaseUrl, sustainedIds);
      console.log(formatEdgeCommands(sustainedCommands, sustainedSent));
      console.log(summarize(`sustained (${rate}/s for ${sustainedSeconds} s)`, latencies, seconds));
      const sustainedTimes = await orderTimes(system.databaseUrl, sustainedIds);
      console.log(
        sustainedVerdict(
          rate,
          sentToExecuted(sustainedTimes, sentAt),
          sentSeconds,
          seconds,
          sustainedIds.length,
        ),
      );
      console.log(`by stage: ${await stageLatencies(system.databaseUrl, sustainedIds)}`);
      console.log(
        formatHops(
          `sustained, hop by hop (the read model polled every ${shown.intervalMs} ms)`,
          eventHops(sustainedTimes, sentAt, shown.shownAt),
        ),
      );
      console.log(formatPeriods('sustained, minute by minute', latencyByPeriod(sustainedTimes, 60_000)));
      console.log(formatCpuPeriods('sustained, CPU minute by minute', cpuMinutes));
      if (traces) {
        // Spans are exported in batches a second apart: wait for the last orders' reports.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const spans = traces.spans().filter((span) => (span.startMs ?? 0) >= sustainedStart);
        console.log(
          formatHops(
            `sustained, inside generated → reported (traces, ratio ${traceRatio})`,
            traceHops(spans),
          ),
        );
      }
      console.log(formatCpuTable(sustainedCpuTable, availableParallelism(), 'sustained'));
      if (sustainedStatements) console.log(sustainedStatements);
    }

    // 2b. Bulk: the same kind of requests through POST /api/assignments/batch, until all are Executed.
    if (bulk > 0) {
      // Idle first, so that the bulk's CPU per order is its own work, not the runs' before it.
      await servicesIdle(system, SERVICES);
      const first = warmup + requests + sustainedTotal;
      // The same work as the bulk's, just before it (the machine's speed drifts over a run): as
      // many accounts, into a group holding as many members as the engine's does by now.
      const rawBulk = await rawBaseline(bulk, first, 'raw slapd for the bulk');
      profileStart('bulk');
      await statements.start();
      const bulkCpu = await startCpu();
      const bulkStart = Date.now();
      const bulkIds: string[] = [];
      for (let from = 0; from < bulk; from += MAX_BATCH) {
        const items = identities
          .slice(first + from, first + Math.min(bulk, from + MAX_BATCH))
          .map((identityId) => ({ identityId, entitlementId }));
        const answer = await requester.post('/api/assignments/batch', {
          body: { items },
          timeoutMs: 600_000,
        });
        if (answer.status !== 200 || answer.body.created !== items.length)
          throw new Error(`batch answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
        bulkIds.push(...answer.body.results.map((r: { id: string }) => r.id));
      }
      const accepted = (Date.now() - bulkStart) / 1000;
      await waitExecuted(requests + sustainedTotal + bulk, 600_000);
      const bulkSeconds = (Date.now() - bulkStart) / 1000;
      const bulkCpuTable = await bulkCpu.stop(bulk);
      const bulkStatements = await statements.take('bulk', bulk);
      await profileEnd('bulk');
      console.log(
        `bulk requests accepted: ${bulk} in ${accepted.toFixed(1)} s = ${(bulk / accepted).toFixed(0)}/s`,
      );
      console.log(
        summarize(
          `bulk (${bulk} ${entitlementId} requests via POST /api/assignments/batch)`,
          await executionLatencies(system.databaseUrl, bulkIds),
          bulkSeconds,
        ),
      );
      console.log(formatCpuTable(bulkCpuTable, availableParallelism(), 'bulk'));
      if (bulkStatements) console.log(bulkStatements);
      if (raw && rawBulk)
        console.log(
          `bulk engine/raw slapd: ${(bulk / bulkSeconds / raw.perSecond).toFixed(3)} (to the burst's baseline); ` +
            `${(bulk / bulkSeconds / rawBulk.perSecond).toFixed(3)} to the bulk's (the same work, measured just before)`,
        );
    }

    // 3. Projection rebuild rate: an audit replay of everything so far.
    if (env('BENCH_REPLAY', 1) !== 0) {
      const replayStart = Date.now();
      const replay = await admin.post('/api/admin/replay');
      const done = await waitFor(() => admin.get('/api/admin/replay'), {
        until: (r) => r.body?.replayId === replay.body.replayId && r.body.status !== 'Running',
        timeoutMs: 600_000,
        intervalMs: 100,
      });
      const replaySeconds = (Date.now() - replayStart) / 1000;
      console.log(
        `audit replay: ${done.body.eventsHandled} events in ${replaySeconds.toFixed(1)} s = ${(done.body.eventsHandled / replaySeconds).toFixed(0)} events/s (${done.body.status})`,
      );
    }

    const rss = SERVICES.map((service) => `${service} ${peakRssMiB(system.pid(service)) ?? '?'} MiB`);
    console.log(`peak RSS: ${rss.join(', ')}`);
    await readModel.end();
    closeSingles();
  } finally {
    await bench.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
