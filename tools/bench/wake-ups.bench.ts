/**
 * Wake-ups and catch-up reads per commit as the commit rate rises (ADR 0050): one store appends
 * single events at a steady rate (one "process"), another store on the same database follows the
 * log with three subscriptions (another "process"), as the services do. Counted: the writer's
 * wake-up statements and the reader's page reads per 1,000 commits, and the lag from an append's
 * acknowledgement to its delivery (p50 / p99 over the three subscriptions). With AB_OTHER, the
 * same for another checkout's stores, interleaved rate by rate on the same private cluster.
 *
 *   git -C /work/main archive HEAD | tar -x -C /tmp/main && ln -s $PWD/node_modules /tmp/main/
 *   AB_OTHER=/tmp/main node tools/run-ts.js tools/bench/wake-ups.bench.ts
 *   # BENCH_RATES commits/s (default 5,50,200,800), BENCH_SECONDS per rate (default 10)
 *   # BENCH_OTHERS (default 0): after each commit, that many commits of other events from a third
 *   # store (a reaction's own appends), which the subscriptions filter out (ADR 0064)
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresEventStore } from '@prov/event-store';
import { privateServer } from './event-store-server';

const RATES = (process.env.BENCH_RATES ?? '5,50,200,800').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SUBSCRIPTIONS = 3;
const OTHERS = Number(process.env.BENCH_OTHERS ?? 0);

type Store = typeof PostgresEventStore;

/** Counts the statements of a pool whose text contains `marker`. */
function countStatements(store: PostgresEventStore, marker: string): () => number {
  let count = 0;
  const query = store.pool.query.bind(store.pool);
  store.pool.query = ((config: unknown, ...rest: unknown[]) => {
    const text = typeof config === 'string' ? config : (config as { text?: string }).text;
    if (text?.includes(marker)) count++;
    return (query as (...args: unknown[]) => unknown)(config, ...rest);
  }) as typeof store.pool.query;
  return () => count;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;

async function run(Store: Store, url: string, rate: number) {
  const writer = await Store.connect({ connectionString: url });
  const reader = await Store.connect({ connectionString: url });
  const otherWriter = OTHERS > 0 ? await Store.connect({ connectionString: url }) : undefined;
  const wakeUps = countStatements(writer, 'pg_notify');
  const reads = countStatements(reader, 'WITH snap AS MATERIALIZED');
  const acknowledged = new Map<string, number>();
  const lags: number[] = [];
  const start = (await reader.readAll({ maxCount: 1_000_000 })).lastPosition;
  const filter = otherWriter ? { eventTypes: ['Happened'] } : undefined;
  const subscriptions = Array.from({ length: SUBSCRIPTIONS }, () =>
    reader.subscribeToAll({ after: start, filter }),
  );
  const total = Math.round(rate * SECONDS);
  const following = subscriptions.map(async (subscription) => {
    let received = 0;
    for await (const event of subscription) {
      const at = acknowledged.get(event.id);
      // An event delivered before its append's reply: the lag is at most the reply's way back.
      lags.push(at === undefined ? 0 : performance.now() - at);
      if (++received === total) break;
    }
  });
  await sleep(200); // the subscriptions listen and read the (empty) tail first
  const readsBefore = reads();
  const wakeUpsBefore = wakeUps();
  const began = performance.now();
  const appends: Promise<unknown>[] = [];
  for (let n = 0; n < total; n++) {
    const due = began + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const id = randomUUID();
    appends.push(
      writer
        .appendToStream(`wake-${randomUUID()}`, [{ id, type: 'Happened', data: { n } }])
        .then(() => acknowledged.set(id, performance.now())),
    );
    for (let k = 0; k < OTHERS; k++)
      appends.push(
        otherWriter!.appendToStream(`other-${randomUUID()}`, [{ id: randomUUID(), type: 'Other', data: {} }]),
      );
  }
  await Promise.all(appends);
  await Promise.all(following);
  const result = {
    wakeUps: ((wakeUps() - wakeUpsBefore) * 1000) / total,
    reads: ((reads() - readsBefore) * 1000) / total / SUBSCRIPTIONS,
    lag: lags.sort((a, b) => a - b),
  };
  await Promise.all(subscriptions.map((s) => s.close()));
  await Promise.all([writer.close(), reader.close(), otherWriter?.close()]);
  return result;
}

async function main(): Promise<void> {
  const trees: [string, Store][] = [['this tree', PostgresEventStore]];
  const other = process.env.AB_OTHER;
  if (other) {
    const { PostgresEventStore: OtherStore } = (await import(
      join(resolve(other), 'libs/event-store/src/postgres/postgres-event-store')
    )) as { PostgresEventStore: Store };
    trees.push([other, OtherStore]);
  }
  const server = await privateServer(false);
  try {
    console.log(
      `${SECONDS} s per rate, ${SUBSCRIPTIONS} subscriptions` +
        (OTHERS > 0 ? `, ${OTHERS} commits of other events after each (filtered out)` : '') +
        '; per 1,000 commits:',
    );
    for (const rate of RATES) {
      for (const [name, Store] of rate % 2 ? trees : [...trees].reverse()) {
        const r = await run(Store, server.url, rate);
        console.log(
          `${String(rate).padStart(5)}/s ${name.padEnd(18)} wake-ups ${r.wakeUps.toFixed(0).padStart(5)}, ` +
            `reads per subscription ${r.reads.toFixed(0).padStart(5)}, lag p50 ${percentile(r.lag, 0.5).toFixed(1)} ms, ` +
            `p99 ${percentile(r.lag, 0.99).toFixed(1)} ms (load ${loadavg()[0].toFixed(1)})`,
        );
      }
    }
  } finally {
    await server.cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
