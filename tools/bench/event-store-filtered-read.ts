/**
 * `readAll` with a filter, this tree's store against another checkout's (ADR 0084): the CPU per
 * scanned event of this process and of PostgreSQL, on one private cluster, in interleaved slices
 * (the order reversed every round). A reaction reads the log through a filter of the event types
 * it handles, and most rows it scans are of other types: the log here has six types, one event of
 * each per stream, as an order's life writes several events of different types.
 *
 *   AB_OTHER=/tmp/main node tools/run-ts.js tools/bench/event-store-filtered-read.ts
 *   # AB_ROUNDS: rounds (default 4); PAGE: maxCount per read (default 500)
 */
import type { EventFilter, Position, PostgresEventStore } from '@prov/event-store';
import { cpuInSlices, loadLabel, runStoresAb } from './event-store-server';
import { payload } from './event-store-writers';

const ROUNDS = Number(process.env.AB_ROUNDS ?? 4);
const PAGE = Number(process.env.PAGE ?? 500);
const STREAMS = 5000;
const TYPES = ['Requested', 'Held', 'Generated', 'Claimed', 'Reported', 'Executed'];

const scenarios: [string, EventFilter | undefined][] = [
  ['one type in six', { eventTypes: ['Requested'] }],
  ['three types in six', { eventTypes: ['Requested', 'Generated', 'Executed'] }],
  ['no filter', undefined],
];

async function seed(store: PostgresEventStore): Promise<void> {
  for (let s = 0; s < STREAMS; s++)
    await store.appendToStream(
      `filtered-${s}`,
      TYPES.map((type, n) => ({ ...payload(s, n), type })),
    );
}

/** Reads the whole log through `filter`, page after page. */
async function readLog(store: PostgresEventStore, filter: EventFilter | undefined): Promise<void> {
  let after: Position | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE, filter });
    after = page.lastPosition ?? after;
    if (page.isEnd) return;
  }
}

runStoresAb(async (stores, server) => {
  await seed(stores[0][1]);
  const scanned = STREAMS * TYPES.length;
  console.log(
    `this tree vs ${process.env.AB_OTHER}: ${ROUNDS} rounds of the whole log (${scanned} events) per scenario and store`,
  );
  for (const [label, filter] of scenarios) {
    const totals = await cpuInSlices(stores, server, ROUNDS, (store) => readLog(store, filter));
    const perEvent = (name: string, key: 'clientMs' | 'serverMs') =>
      ((totals[name][key] * 1000) / (scanned * ROUNDS)).toFixed(2);
    const ratio = (key: 'clientMs' | 'serverMs') => (totals.this[key] / totals.other[key]).toFixed(2);
    console.log(
      `${label}: CPU µs per scanned event, this process: this ${perEvent('this', 'clientMs')}, other ` +
        `${perEvent('other', 'clientMs')} (this/other ${ratio('clientMs')}); PostgreSQL: this ` +
        `${perEvent('this', 'serverMs')}, other ${perEvent('other', 'serverMs')} (this/other ` +
        `${ratio('serverMs')})  ${loadLabel()}`,
    );
  }
});
