import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopProcess, track } from './child-processes';
import { ensureDebianPackage } from './debian-packages';
import { freePort, waitForPort } from './free-port';

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
  if (!version) throw new Error("no PostgreSQL server binaries under /usr/lib/postgresql: install the Debian package 'postgresql'");
  return join(root, version, 'bin');
}

/** PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** Starts a throwaway PostgreSQL cluster (initdb + postgres) on a free loopback port, tuned for tests. */
export async function startPostgresCluster(): Promise<RunningPostgres> {
  const bin = serverBinDir();
  const user = runAs();
  const baseDir = mkdtempSync(join(tmpdir(), 'prov-pg-'));
  const dataDir = join(baseDir, 'data');
  if (user) chownSync(baseDir, user.uid, user.gid);
  execFileSync(join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], {
    stdio: 'ignore',
    cwd: baseDir,
    ...user,
  });
  const port = await freePort();
  const child = track(
    spawn(
      join(bin, 'postgres'),
      [
        '-D', dataDir,
        '-p', String(port),
        '-k', baseDir,
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'max_connections=300',
        '-c', 'shared_buffers=256MB',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true, cwd: baseDir, ...user },
    ),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  try {
    await Promise.race([
      waitForPort(port, 30_000),
      new Promise((_, reject) =>
        child.once('exit', (code) => reject(new Error(`postgres exited with ${code}: ${stderr}`))),
      ),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(baseDir, { recursive: true, force: true });
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
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
}
