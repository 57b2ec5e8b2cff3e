import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BusKit } from '../bus-credentials';
import { freePort } from '../free-port';
import { type RunningNatsServer, startNatsServer } from '../nats-server';
import { waitFor } from './api-client';

export const CLUSTER_NODES = 3;

export interface RunningCluster {
  /** The running node objects by index (a stopped node keeps its last one). */
  nodes: RunningNatsServer[];
  /** Every node's client URL, for NATS_URL. */
  urls: string[];
  stop(index: number): Promise<void>;
  start(index: number): Promise<void>;
  stopAll(): Promise<void>;
}

/** Waits until the JetStream cluster has elected its meta leader: before that no stream can be created. */
async function metaLeader(node: RunningNatsServer): Promise<void> {
  await waitFor(
    async () => {
      const response = await fetch(`${node.monitorUrl}/jsz`).catch(() => undefined);
      const body = (await response?.json().catch(() => undefined)) as
        { meta_cluster?: { leader?: string } } | undefined;
      return body?.meta_cluster?.leader;
    },
    {
      until: (leader) => !!leader,
      timeoutMs: 60_000,
      intervalMs: 200,
      description: 'the NATS cluster to elect a JetStream meta leader',
    },
  );
}

/**
 * Three nats-server processes on loopback forming one JetStream cluster, each with the bus's
 * users (the same generated configuration as deploy/nats/cluster/, with loopback routes).
 */
export async function startCluster(
  bus: BusKit,
  storeRoot: string,
  configDir: string,
  /** Adds the test-only observer (startSystem's busObserverNkey) to a node's configuration. */
  withObserver: (configuration: string) => string = (configuration) => configuration,
): Promise<RunningCluster> {
  const clientPorts = await Promise.all(Array.from({ length: CLUSTER_NODES }, () => freePort()));
  const routePorts = await Promise.all(Array.from({ length: CLUSTER_NODES }, () => freePort()));
  const routes = routePorts.map((port) => `nats-route://127.0.0.1:${port}`);
  const files = routePorts.map((port, i) => {
    const file = join(configDir, `nats-node-${i}.conf`);
    const configuration = bus.configuration(undefined, {
      clusterName: 'prov-test',
      serverName: `prov-nats-${i}`,
      listen: `127.0.0.1:${port}`,
      routes,
    });
    writeFileSync(file, withObserver(configuration), { mode: 0o600 });
    return file;
  });
  const stores = files.map((_, i) => join(storeRoot, `node-${i}`));
  stores.forEach((dir) => mkdirSync(dir, { recursive: true }));
  const running = new Set<number>();
  const nodes: RunningNatsServer[] = [];
  const start = async (i: number) => {
    nodes[i] = await startNatsServer({ port: clientPorts[i], storeDir: stores[i], configFile: files[i] });
    running.add(i);
  };
  await Promise.all(files.map((_, i) => start(i)));
  await metaLeader(nodes[0]);
  return {
    nodes,
    urls: clientPorts.map((port) => `nats://127.0.0.1:${port}`),
    async stop(i) {
      if (!running.has(i)) return;
      running.delete(i);
      await nodes[i].stop();
    },
    async start(i) {
      if (running.has(i)) throw new Error(`NATS node ${i} is running`);
      await start(i);
      await metaLeader(nodes[i]);
    },
    async stopAll() {
      await Promise.all([...running].map((i) => nodes[i].stop().catch(() => undefined)));
      running.clear();
    },
  };
}
