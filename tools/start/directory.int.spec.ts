import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LdapConnector } from '@prov/connectors';
import { loadRoleModel } from '@prov/role-model';
import { chooseDirectory, type Directory } from './directory';

// npm start's directory for the sample's corp_ldap: a slapd whose data survives a restart, reached
// with the settings of deploy/role-model/sample.yaml and the variables chooseDirectory hands out.

const SAMPLE = join(__dirname, '..', '..', 'deploy', 'role-model', 'sample.yaml');
const corpLdap = loadRoleModel(SAMPLE).connection('corp_ldap')!;

const order = (accountKey: string) => ({
  orderId: `o-${accountKey}`,
  attempt: 1,
  changeType: 'Added' as const,
  connectionId: 'corp_ldap',
  resourceTypeId: 'corp_ldap_account',
  identityId: accountKey,
  entitlementId: 'ldap_staff',
  changes: { accountKey, attributes: { cn: 'Alice Martin', sn: 'Martin' }, group: 'staff' },
});

describe('chooseDirectory (npm start)', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'prov-start-'));
  const said: string[] = [];
  const say = (line: string) => said.push(line);
  let directory: Directory | undefined;

  afterEach(async () => {
    await directory?.server?.stop?.();
    directory = undefined;
  });
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  async function withSampleConnector<T>(work: (connector: LdapConnector) => Promise<T>): Promise<T> {
    const connector = new LdapConnector(corpLdap, directory!.env);
    try {
      return await work(connector);
    } finally {
      await connector.close();
    }
  }

  it('starts a slapd under .run/ldap that the sample connection reaches with the variables it hands out', async () => {
    directory = await chooseDirectory({}, runDir, say);
    expect(Object.keys(directory.env).sort()).toEqual(['CORP_LDAP_PASSWORD', 'CORP_LDAP_URL']);
    expect(directory.description).toContain(join(runDir, 'ldap', 'credentials.json'));
    expect(statSync(join(runDir, 'ldap', 'credentials.json')).mode & 0o777).toBe(0o600);
    await withSampleConnector(async (connector) => {
      expect(await connector.test()).toMatchObject({ ok: true });
      await connector.apply(order('alice.martin'));
    });
  });

  it('finds the same entries after a restart, with a new service password', async () => {
    directory = await chooseDirectory({}, runDir, say);
    await withSampleConnector(async (connector) => {
      const { accounts, memberships } = await connector.readAll();
      expect(accounts.map((a) => a.accountKey)).toEqual(['alice.martin']);
      expect(memberships).toEqual([{ accountKey: 'alice.martin', group: 'staff' }]);
    });
  });

  it('uses a directory given by CORP_LDAP_URL as it is, and starts nothing', async () => {
    directory = await chooseDirectory({ CORP_LDAP_URL: 'ldap://127.0.0.1:1' }, runDir, say);
    expect(directory).toEqual({ env: {}, description: 'ldap://127.0.0.1:1 (CORP_LDAP_URL)' });
    expect(said.join('\n')).toMatch(/CORP_LDAP_PASSWORD is not/);
    expect(said.join('\n')).toMatch(/does not answer/);
    expect(existsSync(join(runDir, 'ldap', 'data'))).toBe(true);
  });
});
