import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, stopProcess } from './child-processes';
import { ensureDebianPackage } from './debian-packages';
import { assertPortFree, freePort, waitForPort } from './free-port';

export interface RunningNatsServer {
  url: string;
  port: number;
  monitorUrl: string;
  storeDir: string;
  pid: number;
  stop(): Promise<void>;
}

export interface NatsServerOptions {
  port?: number;
  storeDir?: string;
  /**
   * A configuration file (users and permissions, TLS: see `generateBus`); without one the
   * server admits anybody, which only library tests that bring no credentials may use.
   */
  configFile?: string;
}

/** Starts `nats-server -js` on free loopback ports with its own store directory. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<RunningNatsServer> {
  ensureDebianPackage('nats-server', 'nats-server');
  if (options.port !== undefined) await assertPortFree(options.port, 'nats-server');
  const port = options.port ?? (await freePort());
  const monitorPort = await freePort();
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'prov-nats-'));
  const child = await startServerProcess(
    'nats-server',
    'nats-server',
    [
      ...(options.configFile ? ['-c', options.configFile] : []),
      ...['-js', '-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-sd', storeDir],
    ],
    {},
    () => waitForPort(port),
  );
  const ownsStore = options.storeDir === undefined;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorUrl: `http://127.0.0.1:${monitorPort}`,
    storeDir,
    pid: child.pid!,
    async stop() {
      await stopProcess(child, 'SIGTERM');
      if (ownsStore) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
