/**
 * npm run bench:e2e — requests through to Executed on the SQL connector, with every service as
 * its own process (as in production): orders/s, latency from request to execution (p50/p99),
 * peak RSS per service; then a sustained run at a fixed rate and the projection rebuild rate.
 *
 * Options (environment): BENCH_REQUESTS (default 1000), BENCH_CONCURRENCY (32),
 * BENCH_SUSTAINED_RATE (requests/s, default 50), BENCH_SUSTAINED_SECONDS (default 60; the
 * issue's 10-minute run is BENCH_SUSTAINED_SECONDS=600), LOG_LEVEL of the services (warn).
 */
import { Client } from 'pg';
import { startPostgresCluster, startSystem, waitFor } from '@prov/testing';
import { executionLatencies, peakRssMiB, summarize } from './e2e-measurements';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main(): Promise<void> {
  const requests = env('BENCH_REQUESTS', 1000);
  const concurrency = env('BENCH_CONCURRENCY', 32);
  const rate = env('BENCH_SUSTAINED_RATE', 50);
  const sustainedSeconds = env('BENCH_SUSTAINED_SECONDS', 60);
  const postgres = await startPostgresCluster();
  process.env.PROV_TEST_POSTGRES_URL = postgres.url;
  const system = await startSystem({ logLevel: process.env.LOG_LEVEL ?? 'warn', env: { TIMER_INTERVAL_MS: '5000', RATE_LIMIT_WRITES: '10000000' } }); // measure throughput, not the limit
  try {
    const admin = system.client('admin');
    const requester = system.client('requester');
    // One assignment per identity and entitlement: every request is for an identity of its own,
    // all registered before anything is measured.
    const identities = Array.from({ length: requests + Math.round(rate * sustainedSeconds) }, (_, i) => `bench.${i}`);
    let registered = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (registered < identities.length) {
          const id = identities[registered++];
          await admin.post('/api/identities', { body: { id, login: id, firstName: 'Bench', lastName: `User${id}`, email: `${id}@example.test` } });
        }
      }),
    );
    const request = async (index: number) => {
      const response = await requester.post('/api/assignments', {
        body: { identityId: identities[index], entitlementId: 'hr_app_reader' },
      });
      if (response.status !== 202) throw new Error(`request ${index} answered ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body.assignmentId as string;
    };
    // Counted in the read model directly: the API pages its lists (at most 5000 a call).
    const readModel = new Client({ connectionString: system.databaseUrl });
    await readModel.connect();
    const waitExecuted = (count: number, timeoutMs: number) =>
      waitFor(
        async () =>
          Number((await readModel.query('SELECT count(*) AS n FROM rm.assignments WHERE provisioning_state_code = 8')).rows[0].n),
        { until: (n) => n >= count, timeoutMs, intervalMs: 250, description: `${count} assignments Executed` },
      );

    // 1. Burst: N requests with bounded concurrency, until all are Executed.
    const burstIds: string[] = [];
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) burstIds.push(await request(next++));
      }),
    );
    await waitExecuted(requests, 600_000);
    const burstSeconds = (Date.now() - started) / 1000;
    console.log(summarize(`burst (${requests} requests, concurrency ${concurrency})`, await executionLatencies(system.databaseUrl, burstIds), burstSeconds));

    // 2. Sustained: a fixed rate for a fixed time; the latencies show whether the system keeps up.
    const sustainedIds: string[] = [];
    const sustainedStart = Date.now();
    const total = Math.round(rate * sustainedSeconds);
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = sustainedStart + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(request(requests + i).then((id) => void sustainedIds.push(id)));
    }
    await Promise.all(inFlight);
    await waitExecuted(requests + total, 600_000);
    const sustainedLatencies = await executionLatencies(system.databaseUrl, sustainedIds);
    console.log(summarize(`sustained (${rate}/s for ${sustainedSeconds} s)`, sustainedLatencies, (Date.now() - sustainedStart) / 1000));

    // 3. Projection rebuild rate: an audit replay of everything so far.
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

    const rss = ['gateway', 'requests', 'review', 'orders', 'agent', 'projector'].map(
      (service) => `${service} ${peakRssMiB(system.pid(service as never)) ?? '?'} MiB`,
    );
    console.log(`peak RSS: ${rss.join(', ')}`);
    await readModel.end();
  } finally {
    await system.stop();
    await postgres.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
