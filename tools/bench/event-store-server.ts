/** The private PostgreSQL clusters the event-store benchmarks write to (fsync on and off). */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { PostgresEventStore } from '@prov/event-store';
import { waitForPostgres } from '@prov/event-store/testing';
import { startPostgresCluster } from '@prov/testing';
import { treeCpuMs } from './process-cpu';

export interface Server {
  label: string;
  url: string;
  /** The postmaster's pid (CPU of the cluster: treeCpuMs in process-cpu.ts). */
  pid?: number;
  cleanup(): Promise<void>;
}

/** A private cluster with a fresh database; `durable` keeps fsync on (the harness turns it off otherwise). */
export async function privateServer(durable: boolean): Promise<Server> {
  const dir = durable ? mkdtempSync(join(tmpdir(), 'bench-pg-')) : undefined;
  const cluster = await startPostgresCluster(dir ? { dataDir: dir } : {});
  await waitForPostgres(cluster.url);
  const name = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  // The harness runs clusters with synchronous_commit=off; appends acknowledged to callers wait for the flush.
  await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = on`);
  await admin.end();
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  return {
    label: durable ? 'fsync on' : 'fsync off',
    url: url.toString(),
    pid: cluster.pid,
    async cleanup() {
      await cluster.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The store class of the checkout named by AB_OTHER (e.g. main's tree), for the A/B tools. */
export async function otherStoreClass(): Promise<typeof PostgresEventStore> {
  const other = process.env.AB_OTHER;
  if (!other) throw new Error('AB_OTHER: the directory of the other checkout is required');
  const module = (await import(
    join(resolve(other), 'libs/event-store/src/postgres/postgres-event-store')
  )) as {
    PostgresEventStore: typeof PostgresEventStore;
  };
  return module.PostgresEventStore;
}

/** A new database on `clusterUrl`'s cluster, appends acknowledged after the flush; its URL. */
export async function database(clusterUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: clusterUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = on`);
  await admin.end();
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Runs `measure` with this tree's store and AB_OTHER's on one private cluster (fsync off), both
 * with two connections (`connections`), then closes them and the cluster; a failure sets the exit
 * code. The stores share a database, unless `ownDatabases`: then each runs its own migrations
 * there, which an A/B of a migration needs.
 */
export function runStoresAb(
  measure: (stores: [string, PostgresEventStore][], server: Server) => Promise<void>,
  { ownDatabases = false, connections = 2 } = {},
): void {
  const run = async () => {
    const OtherStore = await otherStoreClass();
    const server = await privateServer(false);
    const url = async (prefix: string) => (ownDatabases ? database(server.url, prefix) : server.url);
    const stores: [string, PostgresEventStore][] = [
      [
        'this',
        await PostgresEventStore.connect({
          connectionString: await url('this'),
          maxConnections: connections,
        }),
      ],
      [
        'other',
        await OtherStore.connect({ connectionString: await url('other'), maxConnections: connections }),
      ],
    ];
    try {
      await measure(stores, server);
    } finally {
      await Promise.all(stores.map(([, store]) => store.close()));
      await server.cleanup();
    }
  };
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

/** CPU of this process and of the cluster, in ms, summed over a store's slices. */
export interface SliceCpu {
  clientMs: number;
  serverMs: number;
}

/**
 * `rounds` slices of `work` per store, the order reversed every round (the second of a pair ran
 * slower on a drifting machine); the CPU of this process and of the cluster per store's name.
 */
export async function cpuInSlices(
  stores: [string, PostgresEventStore][],
  server: Server,
  rounds: number,
  work: (store: PostgresEventStore) => Promise<void>,
): Promise<Record<string, SliceCpu>> {
  const totals: Record<string, SliceCpu> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, store] of round % 2 ? [...stores].reverse() : stores) {
      const [server0, client0] = [treeCpuMs(server.pid!), process.cpuUsage()];
      await work(store);
      const client = process.cpuUsage(client0);
      const t = (totals[name] ??= { clientMs: 0, serverMs: 0 });
      t.clientMs += (client.user + client.system) / 1000;
      t.serverMs += treeCpuMs(server.pid!) - server0;
    }
  }
  return totals;
}

/** The machine's load averages, for a line of a measurement taken on a machine that may be busy. */
export function loadLabel(): string {
  return `(load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')})`;
}
