/**
 * `readStream` of this tree's store against another checkout's (ADR 0057): the PostgreSQL CPU per
 * call, on one private cluster, in interleaved slices (the order reversed every round), so that a
 * loaded machine's changes hit both alike. Streams of a few events, read whole, as the services
 * read an order or an identity; and one long stream read from its last revisions.
 *
 *   AB_OTHER=/tmp/main node tools/run-ts.js tools/bench/event-store-read-stream.ts
 *   # READS: calls per slice (default 2000); AB_ROUNDS: rounds (default 4)
 */
import { randomUUID } from 'node:crypto';
import type { PostgresEventStore } from '@prov/event-store';
import { treeCpuMs } from './process-cpu';
import { loadLabel, runStoresAb } from './event-store-server';
import { payload } from './event-store-writers';

const READS = Number(process.env.READS ?? 2000);
const ROUNDS = Number(process.env.AB_ROUNDS ?? 4);
const SHORT_STREAMS = 50;
const SHORT_LENGTH = 8;
const LONG_LENGTH = 5000;

type Read = (store: PostgresEventStore, i: number) => Promise<unknown>;

const scenarios: [string, Read][] = [
  ['whole stream of 8 events', (store, i) => store.readStream(`short-${i % SHORT_STREAMS}`)],
  [
    'last 10 of 5,000 events, forwards',
    (store) => store.readStream('long', { fromRevision: BigInt(LONG_LENGTH - 10) }),
  ],
  [
    'last 10 of 5,000 events, backwards',
    (store) => store.readStream('long', { direction: 'backwards', maxCount: 10 }),
  ],
];

async function seed(store: PostgresEventStore): Promise<void> {
  for (let s = 0; s < SHORT_STREAMS; s++)
    await store.appendToStream(
      `short-${s}`,
      Array.from({ length: SHORT_LENGTH }, (_, n) => payload(s, n)),
    );
  for (let n = 0; n < LONG_LENGTH; n += 500)
    await store.appendToStream(
      'long',
      Array.from({ length: 500 }, (_, k) => ({ ...payload(0, n + k), id: randomUUID() })),
    );
}

runStoresAb(async (stores, server) => {
  await seed(stores[0][1]);
  console.log(
    `this tree vs ${process.env.AB_OTHER}: ${ROUNDS} rounds of ${READS} sequential reads per scenario and store`,
  );
  for (const [label, read] of scenarios) {
    const totals: Record<string, { serverMs: number; wallMs: number }> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, store] of round % 2 ? [...stores].reverse() : stores) {
        const [cpu, started] = [treeCpuMs(server.pid!), performance.now()];
        for (let i = 0; i < READS; i++) await read(store, i);
        const t = (totals[name] ??= { serverMs: 0, wallMs: 0 });
        t.serverMs += treeCpuMs(server.pid!) - cpu;
        t.wallMs += performance.now() - started;
      }
    }
    const perCall = (name: string, key: 'serverMs' | 'wallMs') =>
      ((totals[name][key] * 1000) / (READS * ROUNDS)).toFixed(0);
    console.log(
      `${label}: PostgreSQL CPU µs per call this ${perCall('this', 'serverMs')}, other ${perCall('other', 'serverMs')} ` +
        `(this/other ${(totals.this.serverMs / totals.other.serverMs).toFixed(2)}); wall µs this ` +
        `${perCall('this', 'wallMs')}, other ${perCall('other', 'wallMs')}  ${loadLabel()}`,
    );
  }
});
