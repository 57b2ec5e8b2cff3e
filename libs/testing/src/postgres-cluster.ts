import { type ChildProcess, execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { startServerProcess, stopProcess } from './child-processes';
import { ensureDebianPackage } from './debian-packages';
import { assertPortFree, freePort, waitForPort } from './free-port';

export interface RunningPostgres {
  /** Connection string of the `postgres` database as the superuser `postgres`. */
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

function serverBinDir(): string {
  const root = '/usr/lib/postgresql';
  const find = () =>
    existsSync(root)
      ? readdirSync(root)
          .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
          .sort((a, b) => Number(b) - Number(a))[0]
      : undefined;
  let version = find();
  if (!version) {
    ensureDebianPackage('/usr/lib/postgresql', 'postgresql');
    version = find();
  }
  if (!version)
    throw new Error(
      "no PostgreSQL server binaries under /usr/lib/postgresql: install the Debian package 'postgresql'",
    );
  return join(root, version, 'bin');
}

/**
 * The port opens before the server takes sessions ("the database system is starting up", longer
 * after an unclean stop while it recovers): wait until a query answers.
 */
async function waitForSessions(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(
          `PostgreSQL on ${url} took no sessions within ${timeoutMs} ms: ${(error as Error).message}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** PostgreSQL reads its key only when the server's user owns it and nobody else may read it. */
function serverCertificate(
  ssl: { certFile: string; keyFile: string },
  dir: string,
  user: { uid: number; gid: number } | undefined,
): string[] {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  copyFileSync(ssl.certFile, cert);
  copyFileSync(ssl.keyFile, key);
  chmodSync(key, 0o600);
  if (user) for (const file of [cert, key]) chownSync(file, user.uid, user.gid);
  return ['-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`];
}

export interface PostgresClusterOptions {
  /**
   * Keep the cluster in this directory (created with initdb when it has none) and leave it there
   * on stop, so a local environment (`npm start`) keeps its data between runs. Without it the
   * cluster is a throwaway one in a temporary directory, tuned for speed over durability.
   */
  dataDir?: string;
  /** Defaults to a free port. */
  port?: number;
  /** Serve TLS with this certificate and key (copied into the cluster's directory, owned by its user). */
  ssl?: { certFile: string; keyFile: string };
  /** More server settings (`-c name=value`), e.g. `max_prepared_transactions` for a test of two-phase commits. */
  settings?: Record<string, string | number>;
}

/** Starts a PostgreSQL cluster (initdb + postgres) on a loopback port; throwaway and tuned for tests by default. */
export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<RunningPostgres> {
  const bin = serverBinDir();
  const user = runAs();
  const persistent = options.dataDir !== undefined;
  const baseDir = persistent ? resolve(options.dataDir!) : mkdtempSync(join(tmpdir(), 'prov-pg-'));
  const dataDir = persistent ? baseDir : join(baseDir, 'data');
  // Parents keep the usual mode: the `postgres` user must be able to walk down to the data.
  mkdirSync(dirname(baseDir), { recursive: true });
  mkdirSync(baseDir, { recursive: true, mode: 0o700 });
  if (user) chownSync(baseDir, user.uid, user.gid);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    execFileSync(
      join(bin, 'initdb'),
      ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', ...(persistent ? [] : ['--no-sync'])],
      {
        // Piped, so that a failing initdb's message ends up in the thrown error.
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: baseDir,
        ...user,
      },
    );
  }
  if (options.port !== undefined) await assertPortFree(options.port, 'PostgreSQL');
  const port = options.port ?? (await freePort());
  // Skipping fsync is fine for a cluster that is deleted afterwards, not for one that keeps data.
  const speed = persistent ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off'];
  const ssl = options.ssl ? serverCertificate(options.ssl, baseDir, user) : [];
  let child: ChildProcess;
  try {
    child = await startServerProcess(
      'postgres',
      join(bin, 'postgres'),
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-k',
        baseDir,
        '-c',
        'listen_addresses=127.0.0.1',
        ...speed,
        '-c',
        'synchronous_commit=off',
        '-c',
        'max_connections=300',
        '-c',
        'shared_buffers=256MB',
        ...ssl,
        ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ],
      { cwd: baseDir, ...user },
      () =>
        waitForPort(port, 30_000).then(() =>
          waitForSessions(`postgres://postgres@127.0.0.1:${port}/postgres`, 30_000),
        ),
    );
  } catch (error) {
    if (!persistent) rmSync(baseDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    pid: child.pid!,
    async stop() {
      // SIGINT is PostgreSQL's "fast" shutdown: roll back sessions and exit at once.
      await stopProcess(child, 'SIGINT', 10_000);
      if (!persistent) rmSync(baseDir, { recursive: true, force: true });
    },
  };
}
