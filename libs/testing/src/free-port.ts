import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Ports the kernel hands out for outgoing connections (and for `listen(0)`). A port taken from
 * there is not ours between the probe and the real bind: any worker's next PostgreSQL or NATS
 * client may get it as its local port, and the server started on it then fails with EADDRINUSE
 * (a service whose HEALTH_PORT was taken that way died after it was counted ready).
 */
export function ephemeralPortRange(text = readRangeFile()): { low: number; high: number } {
  const [low, high] = text.trim().split(/\s+/).map(Number);
  if (!Number.isInteger(low) || !Number.isInteger(high) || low > high) return { low: 32768, high: 60999 };
  return { low, high };
}

function readRangeFile(): string {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return '';
  }
}

/**
 * Where freePort() looks: the widest stretch of unprivileged ports outside the ephemeral range
 * (below it on Linux's default, 10000–32767), or nothing when the range leaves too little.
 */
export function listeningPortRange(
  ephemeral = ephemeralPortRange(),
): { from: number; to: number } | undefined {
  const below = { from: 10_000, to: ephemeral.low - 1 };
  const above = { from: ephemeral.high + 1, to: 65_535 };
  const best = below.to - below.from >= above.to - above.from ? below : above;
  return best.to - best.from >= 1_000 ? best : undefined;
}

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(address && typeof address === 'object' ? address.port : undefined));
    });
  });
}

/** Where test processes on this machine claim the ports freePort() hands out. */
export const PORT_CLAIMS_DIR = join(tmpdir(), 'prov-test-port-claims');
/** Longer than any server takes from freePort() to its bind. */
export const PORT_CLAIM_LIFETIME_MS = 10 * 60_000;

/**
 * Claims `port` for this process unless another claimed it less than PORT_CLAIM_LIFETIME_MS ago:
 * a file created exclusively. Between freePort() and a server's bind nothing listens on the port
 * (seconds for a service, which listens once its application has started), so another worker's
 * probe would find it free too; the second server then failed with EADDRINUSE (seen in CI: a
 * service's health port). Where no claim can be written, the probe alone decides.
 */
export function claimPort(port: number, dir = PORT_CLAIMS_DIR, now = Date.now()): boolean {
  const file = join(dir, String(port));
  const create = () => writeFileSync(file, String(process.pid), { flag: 'wx' });
  try {
    mkdirSync(dir, { recursive: true });
    create();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return true;
  }
  try {
    if (now - statSync(file).mtimeMs < PORT_CLAIM_LIFETIME_MS) return false;
    unlinkSync(file);
    create();
    return true;
  } catch {
    return false; // claimed again meanwhile
  }
}

/**
 * A free loopback port for a server the caller starts next: a random one outside the ephemeral
 * range, claimed (claimPort) and binding now, so that no other test's freePort() hands it out
 * before the caller binds it; the kernel's choice when no such range exists.
 */
export async function freePort(): Promise<number> {
  const range = listeningPortRange();
  for (let attempt = 0; range && attempt < 50; attempt++) {
    const port = range.from + Math.floor(Math.random() * (range.to - range.from + 1));
    if (claimPort(port) && (await tryListen(port)) !== undefined) return port;
  }
  const port = await tryListen(0);
  if (port === undefined) throw new Error('could not bind a probe socket on 127.0.0.1');
  return port;
}

/** Whether something accepts TCP connections on host:port right now. */
export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Refuses a port that something else listens on already: a server started there would fail
 * to bind, and waitForPort() would take the other one's answer for its own.
 */
export async function assertPortFree(port: number, what: string): Promise<void> {
  if (await isPortOpen(port))
    throw new Error(`cannot start ${what} on port ${port}: something listens there already`);
}

/** Resolves once something accepts TCP connections on host:port, or rejects after the timeout. */
export async function waitForPort(port: number, timeoutMs = 20_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isPortOpen(port, host)) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
