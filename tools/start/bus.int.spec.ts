import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot, startNatsServer, testNatsUrl } from '@prov/testing';
import { chooseBus } from './bus';
import { admitsAnonymous } from './infrastructure';

const roleModel = join(repositoryRoot(), 'deploy', 'role-model', 'sample.yaml');

describe('the bus of npm start', () => {
  let runDir: string;

  beforeEach(() => {
    runDir = mkdtempSync(join(tmpdir(), 'prov-start-bus-'));
  });

  afterEach(() => rmSync(runDir, { recursive: true, force: true }));

  it('writes fresh credentials and a valid nats-server configuration that only its user can read', () => {
    const bus = chooseBus({}, runDir, roleModel, false);
    expect(bus.configFile).toBe(join(runDir, 'bus', 'nats-server.conf'));
    expect(statSync(join(runDir, 'bus')).mode & 0o777).toBe(0o700);
    for (const file of ['nats-server.conf', 'credentials.json'])
      expect(statSync(join(runDir, 'bus', file)).mode & 0o777).toBe(0o600);
    expect(bus.kit.identities.agent.connections).toEqual(['hr_app', 'corp_ldap']);
    expect(bus.kit.env('orders')).toMatchObject({
      BUS_IDENTITY: 'orders',
      NATS_JETSTREAM_NKEY_SEED: expect.stringMatching(/^SU/),
    });
    expect(() => execFileSync('nats-server', ['-t', '-c', bus.configFile!], { stdio: 'pipe' })).not.toThrow();
    expect(chooseBus({}, runDir, roleModel, false).kit.identities.gateway.nkeySeed).not.toBe(
      bus.kit.identities.gateway.nkeySeed,
    );
  });

  it('with NATS_URL, takes the credentials from BUS_CREDENTIALS_FILE, and says so when it is missing', () => {
    const own = chooseBus({}, runDir, roleModel, false);
    expect(() => chooseBus({}, runDir, roleModel, true)).toThrow(/BUS_CREDENTIALS_FILE/);
    const external = chooseBus(
      { BUS_CREDENTIALS_FILE: join(runDir, 'bus', 'credentials.json') },
      runDir,
      roleModel,
      true,
    );
    expect(external.configFile).toBeUndefined();
    expect(external.kit.env('review')).toEqual(own.kit.env('review'));
  });

  it('recognises a NATS server that admits anybody, and one that does not', async () => {
    await expect(admitsAnonymous(testNatsUrl())).resolves.toBe(true);
    const bus = chooseBus({}, runDir, roleModel, false);
    const nats = await startNatsServer({ configFile: bus.configFile, storeDir: join(runDir, 'nats') });
    try {
      await expect(admitsAnonymous(nats.url)).resolves.toBe(false);
    } finally {
      await nats.stop();
    }
  });
});
