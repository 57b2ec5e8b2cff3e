/**
 * A live reader's page at the tail of a grown log, this tree's store against another checkout's
 * (ADR 0091): the CPU per read of this process and of PostgreSQL, on one private cluster, in
 * interleaved slices (the order reversed every round). Every wake-up makes each subscription of
 * each process read the few events past its position, through the filter of the types it handles;
 * such a read was planned again at every call.
 *
 *   AB_OTHER=/tmp/main node tools/run-ts.js tools/bench/event-store-tail-read.ts
 *   # AB_ROUNDS: rounds (default 4); READS: reads per slice (default 500); STREAMS (default 20000)
 */
import type { EventFilter, Position, PostgresEventStore } from '@prov/event-store';
import { cpuInSlices, loadLabel, runStoresAb } from './event-store-server';
import { payload } from './event-store-writers';

const ROUNDS = Number(process.env.AB_ROUNDS ?? 4);
const READS = Number(process.env.READS ?? 500);
const STREAMS = Number(process.env.STREAMS ?? 20_000);
const TYPES = ['Requested', 'Held', 'Generated', 'Claimed', 'Reported', 'Executed'];
/** Events past the reader's position: a few commits' worth. */
const BEHIND = 8;

const scenarios: [string, EventFilter | undefined][] = [
  [
    'a reaction: stream prefix and two types',
    { streamNamePrefixes: ['tail-'], eventTypes: ['Requested', 'Held'] },
  ],
  ['type prefixes', { eventTypePrefixes: ['Gen', 'Exec'] }],
  ['no filter (a projector)', undefined],
];

async function seed(store: PostgresEventStore): Promise<void> {
  for (let first = 0; first < STREAMS; first += 250) {
    const appends = [];
    for (let s = first; s < Math.min(first + 250, STREAMS); s++)
      appends.push(
        store.appendToStream(
          `tail-${s}`,
          TYPES.map((type, n) => ({ ...payload(s, n), type })),
        ),
      );
    await Promise.all(appends);
  }
  await store.pool.query('ANALYZE es.streams');
  await store.pool.query('ANALYZE es.events');
}

/** The position BEHIND events before the end of the log. */
async function nearTheEnd(store: PostgresEventStore): Promise<Position> {
  const positions: Position[] = [];
  let after: Position | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    positions.push(...page.events.map((event) => event.position));
    positions.splice(0, positions.length - BEHIND);
    if (page.isEnd) return positions[0];
    after = page.lastPosition;
  }
}

runStoresAb(async (stores, server) => {
  await seed(stores[0][1]);
  const after = await nearTheEnd(stores[0][1]);
  console.log(
    `this tree vs ${process.env.AB_OTHER}: ${STREAMS * TYPES.length} events, ${ROUNDS} rounds of ${READS} reads ` +
      `of the last ${BEHIND} per scenario and store`,
  );
  for (const [label, filter] of scenarios) {
    const totals = await cpuInSlices(stores, server, ROUNDS, async (store) => {
      for (let read = 0; read < READS; read++) await store.readAll({ after, maxCount: 500, filter });
    });
    const perRead = (name: string, key: 'clientMs' | 'serverMs') =>
      ((totals[name][key] * 1000) / (READS * ROUNDS)).toFixed(0);
    const ratio = (key: 'clientMs' | 'serverMs') => (totals.this[key] / totals.other[key]).toFixed(2);
    console.log(
      `${label}: CPU µs per read, this process: this ${perRead('this', 'clientMs')}, other ` +
        `${perRead('other', 'clientMs')} (this/other ${ratio('clientMs')}); PostgreSQL: this ` +
        `${perRead('this', 'serverMs')}, other ${perRead('other', 'serverMs')} (this/other ` +
        `${ratio('serverMs')})  ${loadLabel()}`,
    );
  }
});
