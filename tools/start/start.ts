/**
 * `npm start`: the whole engine on one machine, each service its own process, the way it runs
 * in production. Builds, finds or starts NATS and PostgreSQL, starts the services, waits until
 * the API is healthy, loads sample identities, prints where everything is. Ctrl-C stops what it
 * started. Options: `npm start -- --no-build` runs dist/ as it is.
 */
import { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { redactCredentials, redactUrl } from '@prov/config';
import {
  ApiClient,
  appOf,
  leaveSignalsToCaller,
  repositoryRoot,
  runBuild,
  SERVICE_READY_PATTERN,
  serviceEnvironment,
  ServiceInstance,
  serviceInstances,
  signalService,
  spawnService,
  stopService,
  waitFor,
} from '@prov/testing';
import { chooseBus } from './bus';
import { chooseDirectory } from './directory';
import { nextRestart, type RestartHistory } from './restart-policy';
import { chooseDatabases, chooseNats, Server, tcpReachable } from './infrastructure';
import { chooseApiTokens, loadSampleIdentities, summaryText } from './sample-data';

const root = repositoryRoot();
const runDir = join(root, '.run');
const logDir = join(runDir, 'logs');
const START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;
const color = process.stdout.isTTY && !process.env.NO_COLOR;

const say = (line: string) => process.stdout.write(`${prefix('start')} ${line}\n`);

function prefix(name: string): string {
  const label = `[${name.padEnd(9)}]`;
  if (!color) return label;
  const codes: Record<string, number> = {
    start: 1,
    gateway: 36,
    requests: 32,
    review: 35,
    orders: 33,
    agent: 34,
    projector: 90,
  };
  return `\x1b[${codes[name] ?? 37}m${label}\x1b[0m`;
}

interface Service {
  name: ServiceInstance;
  child: ChildProcess;
  ready: boolean;
  log: WriteStream;
  env: NodeJS.ProcessEnv;
  restarts: RestartHistory;
}

const services: Service[] = [];
const servers: Server[] = [];
let stopping = false;
let started = false;

/** Stops the services (SIGTERM, SIGKILL after the grace period), then the servers started here. */
async function shutdown(code: number): Promise<never> {
  stopping = true;
  const began = Date.now();
  const stops = await Promise.all(
    services.map(async (s) => {
      const wasRunning = s.child.exitCode === null && s.child.signalCode === null;
      await stopService(s.child, STOP_GRACE_MS);
      const seconds = ((Date.now() - began) / 1000).toFixed(1);
      return wasRunning
        ? `${s.name} ${seconds} s${s.child.signalCode === 'SIGKILL' ? ' (did not stop on SIGTERM: killed)' : ''}`
        : undefined;
    }),
  );
  if (stops.some(Boolean)) say(`services stopped: ${stops.filter(Boolean).join(', ')}`);
  for (const server of servers.reverse())
    await server.stop?.().catch((e: Error) => say(`stopping ${server.url}: ${e.message}`));
  services.forEach((s) => s.log.end());
  say(code === 0 ? 'stopped' : 'stopped after a failure');
  process.exit(code);
}

function onSignal(signal: NodeJS.Signals) {
  if (stopping) {
    // A second Ctrl-C: no more waiting.
    say(`${signal} again: killing everything`);
    services.forEach((s) => signalService(s.child, 'SIGKILL'));
    process.exit(1);
  }
  say(`${signal}: stopping`);
  void shutdown(0);
}

function spawnOne(name: ServiceInstance, env: NodeJS.ProcessEnv, earlier?: Service): Service {
  const child = spawnService(root, appOf(name), env, ['ignore', 'pipe', 'pipe']);
  const service: Service = earlier ?? {
    name,
    child,
    ready: false,
    log: createWriteStream(join(logDir, `${name}.log`), { flags: 'a' }),
    env,
    restarts: { consecutive: 0, lastStartAt: Date.now() },
  };
  service.child = child;
  service.ready = false;
  // Each line whole, behind the service's name: JSON log lines stay parseable after the prefix.
  for (const [stream, out] of [
    [child.stdout!, process.stdout],
    [child.stderr!, process.stderr],
  ] as const) {
    createInterface({ input: stream }).on('line', (line) => {
      out.write(`${prefix(name)} ${line}\n`);
      service.log.write(`${line}\n`);
      if (!service.ready && SERVICE_READY_PATTERN.test(line)) service.ready = true;
    });
  }
  child.once('exit', (code, signal) => {
    if (stopping) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (!started) {
      say(`${name} ${how} during start-up (its last lines are above, and in ${join(logDir, `${name}.log`)})`);
      void shutdown(1);
    } else restartLater(service, how);
  });
  return service;
}

/** A service that exits after start-up is started again, after a pause that grows while it keeps exiting. */
function restartLater(service: Service, how: string): void {
  const { delayMs, history } = nextRestart(service.restarts, Date.now());
  service.restarts = history;
  say(
    `${service.name} ${how}; restarting it in ${delayMs / 1000} s (restart ${history.consecutive} in a row)`,
  );
  setTimeout(() => {
    if (stopping) return;
    spawnOne(service.name, service.env, service);
    say(`${service.name} restarted (pid ${service.child.pid})`);
  }, delayMs);
}

async function main(): Promise<void> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `npm start` runs this through `sh -c`, which does not pass a SIGTERM sent to npm on: when
  // the parent goes away this process is orphaned, and stops instead of leaving services behind.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !stopping) {
      say('the parent process is gone: stopping');
      void shutdown(0);
    }
  }, 500).unref();
  leaveSignalsToCaller();
  mkdirSync(logDir, { recursive: true });

  if (!process.argv.includes('--no-build')) {
    say('building the services (tsc -p tsconfig.build.json) and the web console (vite build)');
    await runBuild(root);
  }
  const env = process.env;
  const port = Number(env.PORT ?? 8080);
  if (await tcpReachable(`http://127.0.0.1:${port}`, port)) {
    throw new Error(`port ${port} is in use (another npm start?); set PORT to another port`);
  }
  const tokens = chooseApiTokens(env, join(runDir, 'demo-tokens.json'));
  const roleModel = env.ROLE_MODEL ?? join(root, 'deploy', 'role-model', 'sample.yaml');
  const bus = chooseBus(env, runDir, roleModel, !!env.NATS_URL);
  const nats = await chooseNats(env, runDir, say, bus.configFile);
  servers.push(nats);
  const databases = await chooseDatabases(env, runDir, say);
  servers.push(databases.server);
  if (bus.configFile)
    say(`bus: an nkey user and a signing key per service, in ${join(runDir, 'bus')} (mode 0600)`);
  say(
    `NATS ${redactCredentials(nats.url)} (${nats.origin}); PostgreSQL ${redactUrl(databases.databaseUrl)} (${databases.server.origin})`,
  );
  const directory = await chooseDirectory(env, runDir, say);
  if (directory.server) servers.push(directory.server);

  for (const name of serviceInstances()) {
    const serviceEnv = serviceEnvironment(appOf(name), {
      natsUrl: nats.url,
      databaseUrl: databases.databaseUrl,
      hrAppDatabaseUrl: databases.hrAppDatabaseUrl,
      roleModel,
      apiTokens: tokens.value,
      port,
      // A local engine for trying things out: its API documentation is readable in a browser.
      overrides: {
        API_DOCS_PUBLIC: env.API_DOCS_PUBLIC ?? 'true',
        ...bus.kit.env(appOf(name)),
        ...directory.env,
      },
    });
    services.push(spawnOne(name, serviceEnv));
  }
  const apiUrl = `http://127.0.0.1:${port}`;
  const api = new ApiClient(apiUrl);
  say(`waiting for ${apiUrl}/api/health and for every service to listen`);
  await waitFor(
    async () => {
      const health = await api.get('/api/health', { timeoutMs: 3000 });
      const waiting = services.filter((s) => s.name !== 'gateway' && !s.ready).map((s) => s.name);
      return health.status === 200 && !waiting.length
        ? true
        : `health ${health.status}, waiting for ${waiting.join(', ') || 'none'}`;
    },
    {
      until: (v) => v === true,
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 500,
      description: 'the engine to be up',
    },
  );
  started = true;

  const writer = tokens.byRole.requester;
  if (writer) await loadSampleIdentities(api.as(writer), say);
  else say('no requester or admin token in API_TOKENS: sample identities not loaded');
  process.stdout.write(
    summaryText({
      apiUrl,
      nats: `${redactCredentials(nats.url)} (${nats.origin})`,
      database: `${redactUrl(databases.databaseUrl)} (${databases.server.origin})`,
      hrAppDatabase: redactUrl(databases.hrAppDatabaseUrl),
      logDir,
      tokens,
      demoTokensFile: join(runDir, 'demo-tokens.json'),
    }),
  );
  say(`LDAP directory of corp_ldap (entitlement ldap_staff): ${directory.description}`);
}

main().catch((error: Error) => {
  if (stopping) return;
  process.stderr.write(`${prefix('start')} could not start: ${error.message}\n`);
  void shutdown(1);
});
