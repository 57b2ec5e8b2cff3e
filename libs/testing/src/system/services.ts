import { ChildProcess, spawn, StdioOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { formatApiTokenEntries } from '@prov/config';

/** The services of the engine (docs/architecture.md §5), each one process. */
export const SERVICE_APPS = ['gateway', 'requests', 'review', 'orders', 'agent', 'projector'] as const;
export type ServiceApp = (typeof SERVICE_APPS)[number];

/**
 * The name of one running process: the app (`agent`), or the app and a number (`agent-2`) for
 * further replicas. Logs, kill() and restart() address processes by it.
 */
export type ServiceInstance = ServiceApp | `${ServiceApp}-${number}`;

/** The app an instance name runs; throws for a name that is neither an app nor `<app>-<n>`. */
export function appOf(instance: string): ServiceApp {
  const match = /^([a-z]+)(?:-(\d+))?$/.exec(instance);
  const app = match?.[1] as ServiceApp | undefined;
  if (!app || !SERVICE_APPS.includes(app)) {
    throw new Error(
      `unknown service '${instance}': expected one of ${SERVICE_APPS.join(', ')}, optionally with -<n>`,
    );
  }
  return app;
}

/**
 * Services start in this order; all of them, unless the caller picks some. `replicas` runs an app
 * as that many copies (`orders`, `orders-2`, ...); `extraAgents` adds agents beyond those.
 */
export function serviceInstances(
  apps: readonly ServiceApp[] = SERVICE_APPS,
  extraAgents = 0,
  replicas: Partial<Record<ServiceApp, number>> = {},
): ServiceInstance[] {
  const unique = [...new Set(apps)];
  const instances: ServiceInstance[] = [...unique];
  for (const app of unique) {
    const copies = replicas[app] ?? 1;
    if (!Number.isInteger(copies) || copies < 1)
      throw new Error(`replicas.${app} must be a whole number of 1 or more, got ${copies}`);
    for (let n = 2; n <= copies; n++) instances.push(`${app}-${n}`);
  }
  const agents = unique.includes('agent') ? (replicas.agent ?? 1) : 0;
  for (let n = Math.max(2, agents + 1); n < Math.max(2, agents + 1) + extraAgents; n++)
    instances.push(`agent-${n}`);
  return instances;
}

/**
 * The platform's `<service> service started` line: written once the service listens on NATS and
 * serves its health and metrics port. Nest's own "microservice successfully started" comes
 * earlier, before that port is bound; a service counted ready on it could still die binding it
 * (EADDRINUSE), and nobody would be waiting to say so.
 */
export const SERVICE_READY_PATTERN = /"msg":"[a-z]+ service started"/;

export const API_ROLE_NAMES = ['requester', 'reviewer', 'operator', 'admin', 'hr-feed', 'auditor'] as const;
export type ApiRoleName = (typeof API_ROLE_NAMES)[number];
export type ApiTokens = Record<ApiRoleName, string>;

/** One random token per role; `prefix-role-` first, so a token in a log says what it is for. */
export function generateApiTokens(prefix = 'test'): ApiTokens {
  const tokens = {} as ApiTokens;
  for (const role of API_ROLE_NAMES) tokens[role] = `${prefix}-${role}-${randomBytes(12).toString('hex')}`;
  return tokens;
}

/**
 * The `API_TOKENS` value the gateway reads: `<role>-bot:role:sha256`, the hash of each token and
 * the name its events carry as actor (the tokens themselves stay with the caller).
 */
export function formatApiTokens(tokens: Partial<Record<ApiRoleName, string>>): string {
  return formatApiTokenEntries(
    API_ROLE_NAMES.filter((role) => tokens[role]).map((role) => {
      const token = tokens[role]!;
      if (token.length < 8 || /[,:\s]/.test(token)) {
        throw new Error(`the ${role} token must have 8 or more characters and no ',', ':' or spaces`);
      }
      return { name: `${role}-bot`, role, token };
    }),
  );
}

export interface ServiceEnvironmentInput {
  natsUrl: string;
  databaseUrl: string;
  hrAppDatabaseUrl: string;
  roleModel: string;
  apiTokens: string;
  /** The gateway's HTTP port; the other services get no PORT so they never bind it. */
  port: number;
  logLevel?: string;
  /** Inherited variables (PATH and the like); process.env by default. */
  base?: NodeJS.ProcessEnv;
  /** Applied last; `undefined` removes a variable (to test a service without it). */
  overrides?: Record<string, string | undefined>;
}

/** The environment one service process starts with (docs/architecture.md §8, plus the sample connector's database). */
export function serviceEnvironment(app: ServiceApp, input: ServiceEnvironmentInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(input.base ?? process.env) };
  delete env.PORT;
  Object.assign(env, {
    NATS_URL: input.natsUrl,
    DATABASE_URL: input.databaseUrl,
    HR_APP_DATABASE_URL: input.hrAppDatabaseUrl,
    ROLE_MODEL: input.roleModel,
    API_TOKENS: input.apiTokens,
    LOG_LEVEL: input.logLevel ?? env.LOG_LEVEL ?? 'log',
  });
  if (app === 'gateway') env.PORT = String(input.port);
  for (const [name, value] of Object.entries(input.overrides ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/**
 * V8's heap limits for every service, the same in deploy/ (ADR 0063). Without them V8 sizes the
 * heap to the machine (4 GB here) and lets garbage pile up with the allocation rate: the orders
 * service stood at 443 MB RSS during a complete job whose live heap was 85 MB. A 144 MB old
 * generation and 8 MB semi-spaces (young generation 24 MB) keep a service under 256 MB RSS with
 * the runtime's own 50–60 MB, and a major collection runs before the heap outgrows them.
 */
export const SERVICE_HEAP_FLAGS = ['--max-old-space-size=144', '--max-semi-space-size=8'] as const;

/** `node <heap flags> -r tools/runtime/register-paths.js dist/apps/<app>/src/main.js`: how a built service runs. */
export function serviceCommand(root: string, app: ServiceApp): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [
      ...SERVICE_HEAP_FLAGS,
      '-r',
      join(root, 'tools', 'runtime', 'register-paths.js'),
      join(root, 'dist', 'apps', app, 'src', 'main.js'),
    ],
  };
}

/**
 * Spawns one service from dist/ with the workspace root as working directory. Detached: it leads
 * its own process group, so a signal to the group reaches anything it started, and a Ctrl-C in
 * the terminal reaches only the parent, which then stops the services in order.
 */
export function spawnService(
  root: string,
  app: ServiceApp,
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions,
): ChildProcess {
  const { command, args } = serviceCommand(root, app);
  return spawn(command, args, { cwd: root, env, stdio, detached: true });
}

/** Signals a service's whole process group (falls back to the process itself). */
export function signalService(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    child.kill(signal);
  }
}

/** SIGTERM (a graceful shutdown), SIGKILL after the grace period; resolves once it exited. */
export async function stopService(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalService(child, 'SIGTERM');
  signalService(child, 'SIGCONT'); // a paused (SIGSTOP) service could not act on SIGTERM
  const timer = setTimeout(() => signalService(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
