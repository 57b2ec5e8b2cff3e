/**
 * This tree's PostgreSQL store against another checkout's (e.g. main's, exported with
 * `git archive main | tar -x -C /tmp/main` and given a `node_modules` symlink), next to Emmett and the plain INSERT, in interleaved
 * slices on the same cluster: on a machine whose load changes from minute to minute, alternating
 * short slices (order reversed every round) compares the two under the same conditions, where
 * two whole benchmark runs minutes apart do not. Each store gets its own database, so each runs
 * its own migrations.
 *
 *   AB_OTHER=/tmp/main BENCH_SECONDS=1 node tools/run-ts.js tools/bench/event-store-ab.ts
 *   # BENCH_SECONDS: length of a slice (default 4); AB_ROUNDS: rounds per scenario (default 6)
 */
import { loadavg } from 'node:os';
import { Pool } from 'pg';
import { PostgresEventStore } from '@prov/event-store';
import { treeCpuMs } from './process-cpu';
import { database, otherStoreClass, privateServer } from './event-store-server';
import * as w from './event-store-writers';

const ROUNDS = Number(process.env.AB_ROUNDS ?? 6);

/**
 * Per contender: events, wall time, latencies, and the CPU spent while its slices ran, in this
 * process (the client) and in the cluster (backends, WAL writer, ...). CPU per event depends far
 * less on the machine's load than events per second do.
 */
type Totals = Record<
  string,
  { events: number; seconds: number; latenciesMs: number[]; clientMs: number; serverMs: number }
>;

const clientCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

function report(label: string, totals: Totals): void {
  const rate = (name: string) => totals[name].events / totals[name].seconds;
  const cells = Object.keys(totals).map(
    (name) =>
      `${name} ${rate(name).toFixed(0)} ev/s (p50 ${w.percentile(totals[name].latenciesMs, 50).toFixed(2)})`,
  );
  const ratio = (a: string, b: string) => `${a}/${b} ${(rate(a) / rate(b)).toFixed(2)}`;
  const cpu = (name: string) => {
    const t = totals[name];
    return `${name} ${((t.clientMs * 1000) / t.events).toFixed(0)}+${((t.serverMs * 1000) / t.events).toFixed(0)}`;
  };
  console.log(
    `${label}: ${cells.join('  ')}\n    ${[
      ratio('this', 'other'),
      ratio('this', 'emmett'),
      ratio('other', 'emmett'),
      ratio('this', 'raw'),
      ratio('other', 'raw'),
    ].join('  ')}  (load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})\n    CPU µs per event, client+server: ${Object.keys(totals).map(cpu).join('  ')}`,
  );
}

async function main(): Promise<void> {
  const OtherStore = await otherStoreClass();
  const emmettModule = (await import('@event-driven-io/emmett-postgresql')) as unknown as {
    getPostgreSQLEventStore(url: string, options: unknown): w.EmmettStore;
  };
  const { STREAM_DOES_NOT_EXIST } = (await import('@event-driven-io/emmett')) as unknown as {
    STREAM_DOES_NOT_EXIST: string;
  };
  console.log(`this tree vs ${process.env.AB_OTHER}: ${ROUNDS} rounds of ${w.SECONDS} s slices`);
  for (const durable of [true, false]) {
    const server = await privateServer(durable);
    const mine = await PostgresEventStore.connect({
      connectionString: await database(server.url, 'this'),
      maxConnections: 20,
    });
    const theirs = await OtherStore.connect({
      connectionString: await database(server.url, 'other'),
      maxConnections: 20,
    });
    const pool = new Pool({ connectionString: server.url, max: 20 });
    const emmettPool = new Pool({ connectionString: server.url, max: 20 });
    for (const p of [pool, emmettPool]) p.on('error', () => undefined);
    const emmett = emmettModule.getPostgreSQLEventStore(server.url, {
      connectionOptions: { pool: emmettPool },
    });
    try {
      await pool.query(w.RAW_SCHEMA);
      await w.emmettWriter(emmett, STREAM_DOES_NOT_EXIST, 'warm', 1)(0);
      for (const [writers, batch] of [
        [1, 1],
        [16, 1],
        [1, 50],
        [16, 50],
      ]) {
        const totals: Totals = {};
        for (let round = 0; round < ROUNDS; round++) {
          const run = `${writers}x${batch}r${round}`;
          const contenders: [string, w.Writer][] = [
            ['this', w.storeWriter(mine, `t${run}`, batch)],
            ['other', w.storeWriter(theirs, `o${run}`, batch)],
            ['emmett', w.emmettWriter(emmett, STREAM_DOES_NOT_EXIST, `e${run}`, batch)],
            ['raw', w.rawWriter(pool, `r${run}`, batch)],
          ];
          if (round % 2) contenders.reverse();
          for (const [name, writer] of contenders) {
            const [client, cluster] = [clientCpuMs(), treeCpuMs(server.pid!)];
            const m = await w.measure(writers, writer);
            const t = (totals[name] ??= { events: 0, seconds: 0, latenciesMs: [], clientMs: 0, serverMs: 0 });
            t.clientMs += clientCpuMs() - client;
            t.serverMs += treeCpuMs(server.pid!) - cluster;
            t.events += m.events;
            t.seconds += m.seconds;
            t.latenciesMs.push(...m.latenciesMs);
          }
        }
        report(`${server.label}, ${writers} writer(s), batch ${batch}`, totals);
      }
    } finally {
      await Promise.all([mine.close(), theirs.close(), emmett.close().catch(() => undefined)]);
      await Promise.all([pool.end(), emmettPool.end().catch(() => undefined)]);
      await new Promise((done) => setTimeout(done, 200));
      await server.cleanup();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
