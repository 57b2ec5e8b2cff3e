/**
 * Appends over two streams (`appendToStreams`), this tree's store against another checkout's, each
 * in a database of its own on one private cluster, so that each runs its own migrations (ADR 0085).
 * Each unit is what a request writes: the next event of an identity's stream (at its revision) and
 * the first of a new assignment stream. WRITERS writers at once, so the store gathers their units
 * into groups as it does under load. Interleaved rounds (the order reversed every round); the
 * figure is the CPU per unit of this process and of PostgreSQL.
 *
 *   AB_OTHER=/tmp/main node tools/run-ts.js tools/bench/event-store-units.ts
 *   # AB_ROUNDS: rounds (default 6); UNITS: units per writer and round (default 300); WRITERS (16)
 */
import type { PostgresEventStore } from '@prov/event-store';
import { treeCpuMs } from './process-cpu';
import { loadLabel, runStoresAb } from './event-store-server';
import { payload } from './event-store-writers';

const ROUNDS = Number(process.env.AB_ROUNDS ?? 6);
const UNITS = Number(process.env.UNITS ?? 300);
const WRITERS = Number(process.env.WRITERS ?? 16);

/** Each writer's identity stream and its revision, per store. */
const revisions = new Map<PostgresEventStore, bigint[]>();

async function writeUnits(store: PostgresEventStore, round: number): Promise<void> {
  const identities = revisions.get(store) ?? Array.from({ length: WRITERS }, () => -1n);
  revisions.set(store, identities);
  await Promise.all(
    identities.map(async (_, writer) => {
      for (let n = 0; n < UNITS; n++) {
        const revision = identities[writer];
        await store.appendToStreams([
          {
            streamName: `identity-${writer}`,
            events: [payload(writer, n)],
            expectedRevision: revision < 0n ? 'no_stream' : revision,
          },
          {
            streamName: `assignment-${round}-${writer}-${n}`,
            events: [payload(writer, n)],
            expectedRevision: 'no_stream',
          },
        ]);
        identities[writer] = revision + 1n;
      }
    }),
  );
}

runStoresAb(
  async (stores, server) => {
    console.log(
      `this tree vs ${process.env.AB_OTHER}: ${ROUNDS} rounds of ${WRITERS} writers × ${UNITS} units of two streams`,
    );
    const totals: Record<string, { clientMs: number; serverMs: number; seconds: number }> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, store] of round % 2 ? [...stores].reverse() : stores) {
        const [server0, client0, started] = [treeCpuMs(server.pid!), process.cpuUsage(), Date.now()];
        await writeUnits(store, round);
        const client = process.cpuUsage(client0);
        const t = (totals[name] ??= { clientMs: 0, serverMs: 0, seconds: 0 });
        t.clientMs += (client.user + client.system) / 1000;
        t.serverMs += treeCpuMs(server.pid!) - server0;
        t.seconds += (Date.now() - started) / 1000;
      }
    }
    const units = WRITERS * UNITS * ROUNDS;
    const line = (name: string) =>
      `${name} ${(units / totals[name].seconds).toFixed(0)} units/s, CPU µs per unit: this process ` +
      `${((totals[name].clientMs * 1000) / units).toFixed(0)}, PostgreSQL ${((totals[name].serverMs * 1000) / units).toFixed(0)}`;
    const ratio = (key: 'clientMs' | 'serverMs') => (totals.this[key] / totals.other[key]).toFixed(2);
    console.log(`${line('this')}\n${line('other')}`);
    console.log(
      `this/other: this process ${ratio('clientMs')}, PostgreSQL ${ratio('serverMs')}  ${loadLabel()}`,
    );
  },
  { ownDatabases: true, connections: 4 },
);
