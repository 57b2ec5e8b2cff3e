import { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { automaticConnections, generateBus } from '../bus-credentials';
import { track } from '../child-processes';
import { freePort } from '../free-port';
import { RunningNatsServer, startNatsServer } from '../nats-server';
import { RunningPostgres, startPostgresCluster } from '../postgres-cluster';
import { createTestDatabase, TestDatabase } from '../test-servers';
import { ApiClient, waitFor } from './api-client';
import { withObserver } from './bus-observer';
import { buildServices, repositoryRoot } from './build';
import { type RunningCluster, startCluster } from './nats-cluster';
import { hasTail, ServiceLogs } from './service-logs';
import type { RunningSystem, StartSystemOptions } from './system-options';
import {
  appOf,
  formatApiTokens,
  generateApiTokens,
  SERVICE_READY_PATTERN,
  ServiceApp,
  serviceEnvironment,
  ServiceInstance,
  serviceInstances,
  signalService,
  spawnService,
  stopService,
} from './services';

export type { RunningSystem, StartSystemOptions } from './system-options';

interface Instance {
  name: ServiceInstance;
  app: ServiceApp;
  logFile: string;
  child?: ChildProcess;
}

function running(child: ChildProcess | undefined): child is ChildProcess {
  return !!child && child.exitCode === null && child.signalCode === null;
}

/**
 * Starts the whole engine as separate processes, the way it runs in production: its own
 * nats-server (JetStream stream names are fixed, so test files running in parallel must not
 * share one), two fresh databases in the shared test PostgreSQL (the engine's, and the managed
 * HR application's), and every service from dist/ with its output in a log file. Resolves once
 * the gateway's health check answers 200 and every command service listens.
 */
export async function startSystem(options: StartSystemOptions = {}): Promise<RunningSystem> {
  const root = repositoryRoot();
  if (options.build ?? true) await buildServices();
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const logDir = mkdtempSync(join(tmpdir(), 'prov-system-'));
  const databases: TestDatabase[] = [];
  let nats: RunningNatsServer | undefined;
  let postgres: RunningPostgres | undefined;
  const natsStore = mkdtempSync(join(tmpdir(), 'prov-system-nats-'));
  // Outside the store (nats-server owns that): the bus configuration, readable by this user only.
  const natsConfigDir = mkdtempSync(join(tmpdir(), 'prov-system-bus-'));
  const postgresDir =
    options.postgres === 'dedicated' ? mkdtempSync(join(tmpdir(), 'prov-system-pg-')) : undefined;
  const instances = new Map<ServiceInstance, Instance>();
  let stopped = false;
  let clusterRef: RunningCluster | undefined;

  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([...instances.values()].map((i) => (i.child ? stopService(i.child) : undefined)));
    await nats?.stop().catch(() => undefined);
    await clusterRef?.stopAll();
    rmSync(natsStore, { recursive: true, force: true });
    rmSync(natsConfigDir, { recursive: true, force: true });
    if (postgres) {
      await postgres.stop().catch(() => undefined);
      rmSync(postgresDir!, { recursive: true, force: true });
    } else await Promise.allSettled(databases.map((db) => db.drop()));
    if (!(options.keepLogs || process.env.PROV_TEST_KEEP_LOGS === '1'))
      rmSync(logDir, { recursive: true, force: true });
  };

  try {
    if (postgresDir) postgres = await startPostgresCluster({ dataDir: postgresDir });
    const adminUrl = postgres?.url;
    const roleModel = resolve(root, options.roleModel ?? 'deploy/role-model/sample.yaml');
    if (!existsSync(roleModel)) throw new Error(`role model ${roleModel} does not exist`);
    // Every e2e test runs on the authenticated bus, as in production (ADR 0010).
    const bus = generateBus([
      { identity: 'agent', connections: automaticConnections(roleModel) },
      ...(options.busAgents ?? []),
    ]);
    const natsConfig = join(natsConfigDir, 'nats-server.conf');
    writeFileSync(natsConfig, withObserver(bus.configuration(), options.busObserverNkey), { mode: 0o600 });
    const cluster = options.natsCluster
      ? await startCluster(bus, natsStore, natsConfigDir, (c) => withObserver(c, options.busObserverNkey))
      : undefined;
    const [natsServer, engineDb, hrDb, port] = await Promise.all([
      cluster ? cluster.nodes[0] : startNatsServer({ storeDir: natsStore, configFile: natsConfig }),
      options.databaseUrl
        ? { name: 'given', url: options.databaseUrl, drop: async () => undefined }
        : createTestDatabase('prov_engine', adminUrl),
      createTestDatabase('prov_hr_app', adminUrl),
      options.port ?? freePort(),
    ]);
    if (cluster) clusterRef = cluster;
    else nats = natsServer;
    const natsUrl = cluster ? cluster.urls.join(',') : natsServer.url;
    databases.push(engineDb, hrDb);
    const tokens = generateApiTokens();
    const apiUrl = `http://127.0.0.1:${port}`;
    const api = new ApiClient(apiUrl);
    const { logs, tail, since: logSince, size: logSize } = new ServiceLogs(logDir);

    const names = serviceInstances(options.services, options.extraAgents ?? 0, options.replicas);
    const ports = new Map<ServiceInstance, number>([['gateway', port]]);
    for (const name of names.filter((n) => n !== 'gateway' && appOf(n) === 'gateway'))
      ports.set(name, await freePort());
    const portOf = (name: ServiceInstance) => {
      const found = ports.get(name);
      if (found === undefined) throw new Error(`no gateway instance '${name}'`);
      return found;
    };
    const apiOf = (name: ServiceInstance) =>
      name === 'gateway' ? api : new ApiClient(`http://127.0.0.1:${portOf(name)}`);

    const spawnInstance = (name: ServiceInstance): Instance => {
      const app = appOf(name);
      const instance = instances.get(name) ?? { name, app, logFile: join(logDir, `${name}.log`) };
      instances.set(name, instance);
      const env = serviceEnvironment(app, {
        natsUrl,
        databaseUrl: engineDb.url,
        hrAppDatabaseUrl: hrDb.url,
        roleModel,
        apiTokens: formatApiTokens(tokens),
        port: app === 'gateway' ? portOf(name) : port,
        logLevel: options.logLevel ?? process.env.PROV_TEST_LOG_LEVEL,
        overrides: {
          ...bus.env(app),
          ...(cluster ? { ORDERS_STREAM_REPLICAS: '3' } : {}),
          ...options.env,
          ...options.serviceEnv?.[app],
          ...options.serviceEnv?.[name],
        },
      });
      // The child writes to the file itself: nothing is lost if this process is busy or dies.
      const fd = openSync(instance.logFile, 'a');
      try {
        instance.child = track(spawnService(root, app, env, ['ignore', fd, fd]));
      } finally {
        closeSync(fd);
      }
      return instance;
    };

    /** Resolves when the instance is ready; rejects with its log tail when it exits first or times out. */
    const ready = async (instance: Instance, logOffset: number) => {
      const child = instance.child!;
      // Ends the polling below once the race is decided either way.
      const settled = new AbortController();
      let onExit: (() => void) | undefined;
      const died = new Promise<never>((_, reject) => {
        onExit = () =>
          reject(
            new Error(
              `${instance.name} exited (${child.exitCode ?? child.signalCode}) during start-up\n${tail(instance.name)}`,
            ),
          );
        if (!running(child)) onExit();
        else child.once('exit', onExit);
      });
      const check =
        instance.app === 'gateway'
          ? () =>
              apiOf(instance.name)
                .get('/api/health', { timeoutMs: 5000 })
                .then((r) => r.status === 200 || `health ${r.status}: ${JSON.stringify(r.body)}`)
          : () =>
              SERVICE_READY_PATTERN.test(logSince(instance.name, logOffset)) ||
              'no start-up line in its log yet';
      try {
        await Promise.race([
          died,
          waitFor(check, {
            until: (v) => v === true,
            timeoutMs: startTimeoutMs,
            intervalMs: 250,
            signal: settled.signal,
            description:
              instance.app === 'gateway'
                ? 'GET /api/health to answer 200'
                : `${instance.name} to listen on NATS`,
          }),
        ]);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(hasTail(message, instance.name) ? message : `${message}\n${tail(instance.name)}`);
      } finally {
        settled.abort();
        if (onExit) child.off('exit', onExit);
        died.catch(() => undefined);
      }
    };

    const start = async (name: ServiceInstance) => {
      if (stopped) throw new Error('the system was stopped');
      if (running(instances.get(name)?.child)) throw new Error(`${name} is already running`);
      const offset = logSize(name);
      await ready(spawnInstance(name), offset);
    };

    const spawned = names.map((name) => ({ name, offset: logSize(name), instance: spawnInstance(name) }));
    const readyOnes = new Set<ServiceInstance>();
    try {
      // Fails at the first service that dies, instead of waiting out the others' time-outs.
      await Promise.all(
        spawned.map(({ name, instance, offset }) => ready(instance, offset).then(() => readyOnes.add(name))),
      );
    } catch (error) {
      const message = (error as Error).message;
      const others = names.filter((name) => !readyOnes.has(name) && !hasTail(message, name));
      // A service can be on NATS and still not serve (the gateway's health then names it down):
      // its log is the only trace of why, and it is gone with the system's directory.
      const ready = names.filter((name) => readyOnes.has(name) && !hasTail(message, name));
      const more =
        (others.length ? `\n\nnot ready either: ${others.join(', ')}\n${others.map(tail).join('\n')}` : '') +
        (ready.length ? `\n\nready: ${ready.join(', ')}\n${ready.map(tail).join('\n')}` : '');
      throw new Error(`the system did not start: ${message}${more}`);
    }

    const instanceOf = (name: ServiceInstance) => {
      const instance = instances.get(name);
      if (!instance)
        throw new Error(`no service instance '${name}' (started: ${[...instances.keys()].join(', ')})`);
      return instance;
    };

    return {
      apiUrl,
      natsUrl,
      databaseUrl: engineDb.url,
      hrAppDatabaseUrl: hrDb.url,
      tokens,
      bus,
      logDir,
      api,
      client: (role) => api.as(tokens[role]),
      logs,
      instances: () => [...instances.keys()],
      apiUrlOf: (name) => `http://127.0.0.1:${portOf(name)}`,
      isRunning: (name) => running(instances.get(name)?.child),
      pid: (name) => (running(instances.get(name)?.child) ? instances.get(name)!.child!.pid : undefined),
      async kill(name, signal = 'SIGKILL') {
        const child = instanceOf(name).child;
        if (!running(child)) return;
        if (['SIGSTOP', 'SIGTSTP', 'SIGCONT'].includes(signal)) return signalService(child, signal);
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        signalService(child, signal);
        await exited;
      },
      start,
      async restart(name) {
        const child = instanceOf(name).child;
        if (child) await stopService(child);
        await start(name);
      },
      stop: stopAll,
      async stopNatsNode(index) {
        if (!cluster) throw new Error('stopNatsNode needs startSystem({ natsCluster: true })');
        await cluster.stop(index);
      },
      async startNatsNode(index) {
        if (!cluster) throw new Error('startNatsNode needs startSystem({ natsCluster: true })');
        await cluster.start(index);
      },
      async restartNats(downMs = 1000) {
        if (!nats)
          throw new Error(
            'restartNats restarts a single server; with natsCluster use stopNatsNode/startNatsNode',
          );
        const port = nats!.port;
        await nats!.stop();
        await new Promise((resolve) => setTimeout(resolve, downMs));
        nats = await startNatsServer({ port, storeDir: natsStore, configFile: natsConfig });
      },
      async restartPostgres(downMs = 1000) {
        if (!postgres) throw new Error("restartPostgres needs startSystem({ postgres: 'dedicated' })");
        const port = postgres.port;
        await postgres.stop();
        await new Promise((resolve) => setTimeout(resolve, downMs));
        postgres = await startPostgresCluster({ dataDir: postgresDir, port });
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
