import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, nkeyAuthenticator, nkeys } from 'nats';
import { type RunningNatsServer, startNatsServer } from '@prov/testing';
import { natsServerConfiguration } from './nats-permissions';

/** Blocks the event loop, as a process starved of CPU would stall between INFO and CONNECT. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

describe("the bus's authorization timeout", () => {
  const user = nkeys.createUser();
  let nats: RunningNatsServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'prov-auth-timeout-'));
    const configFile = join(dir, 'nats-server.conf');
    writeFileSync(
      configFile,
      natsServerConfiguration({ users: [{ identity: 'gateway', nkey: user.getPublicKey() }] }),
      { mode: 0o600 },
    );
    nats = await startNatsServer({ configFile });
  });

  afterAll(async () => {
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("admits a client that takes longer than nats-server's own 2 s to sign the nonce", async () => {
    // With nats-server's default the server drops such a client silently, and the client only
    // sees its connect timeout: the `TIMEOUT` of e2e tests on a loaded CI machine.
    const sign = nkeyAuthenticator(user.getSeed());
    const nc = await connect({
      servers: nats.url,
      timeout: 15_000,
      authenticator: (nonce?: string) => {
        stall(3500);
        return sign(nonce);
      },
    });
    await nc.flush();
    await nc.close();
  });
});
