import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startServerProcess, stopProcess } from '../child-processes';
import { freePort, waitForPort } from '../free-port';

export interface RunningScimServer {
  /** Base URL of the SCIM endpoints, e.g. http://127.0.0.1:41234/scim/v2 (no trailing slash). */
  baseUrl: string;
  /** The bearer token the server accepts. */
  token: string;
  port: number;
  pid: number;
  /** The next `count` SCIM requests answer `status` (503 by default) with a SCIM error body. */
  failNext(count: number, status?: number): Promise<void>;
  /** The next `count` SCIM requests wait `ms` before being handled (to provoke client timeouts). */
  delayNext(count: number, ms: number): Promise<void>;
  /** The next `count` list/search GETs find nothing, as a lagging search index would (eventual consistency). */
  staleNext(count: number): Promise<void>;
  stop(): Promise<void>;
}

// The server is an ES module (scimmy is ESM only) run by plain node, so it is found next to this
// file in the source tree; Jest and ts-node load this launcher from there.
const SCRIPT = join(__dirname, 'scim-server.mjs');

/**
 * Starts the scimmy-based SCIM 2.0 test server (Users, Groups, EnterpriseUser extension, kept in
 * memory) as a tracked child process on a free loopback port. Every server starts empty.
 */
export async function startScimServer(options: { token?: string } = {}): Promise<RunningScimServer> {
  const token = options.token ?? randomBytes(18).toString('base64url');
  const port = await freePort();
  const child = await startServerProcess(
    'SCIM test server',
    process.execPath,
    [SCRIPT, '--port', String(port)],
    // The token goes by environment: a command line is readable by every user of the machine.
    { env: { ...process.env, SCIM_TOKEN: token } },
    () => waitForPort(port),
  );

  const admin = async (action: string, body: Record<string, number>): Promise<void> => {
    const response = await fetch(`http://127.0.0.1:${port}/_admin/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 204) {
      throw new Error(
        `SCIM test server refused /_admin/${action}: ${response.status} ${await response.text()}`,
      );
    }
  };

  return {
    baseUrl: `http://127.0.0.1:${port}/scim/v2`,
    token,
    port,
    pid: child.pid!,
    failNext: (count, status = 503) => admin('fail', { count, status }),
    delayNext: (count, ms) => admin('delay', { count, ms }),
    staleNext: (count) => admin('stale', { count }),
    stop: () => stopProcess(child, 'SIGTERM'),
  };
}
