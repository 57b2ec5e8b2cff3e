import { AdConnector } from '@prov/connectors';
import type { RoleModelConnection } from '@prov/role-model';
import { type RunningSambaAdDc, startSambaAdDc } from '@prov/testing';
import { ReadBack } from './read-back';

/**
 * Against a real Samba AD: after a full read, reading only what changed (uSNChanged, tombstones)
 * and merging it gives exactly what a full read gives, across additions, group changes, an
 * emptied group and a deleted account.
 */
describe('incremental read-back of an Active Directory', () => {
  let dc: RunningSambaAdDc;
  let connector: AdConnector;

  beforeAll(async () => {
    dc = await startSambaAdDc();
    const connection: RoleModelConnection = {
      id: 'corp_ad',
      name: 'Corporate AD',
      connector: 'ad',
      fulfillment: 'automatic',
      settings: {
        url: dc.ldapsUrl,
        bindDn: dc.adminDn,
        bindPasswordEnv: 'AD_BIND_PASSWORD',
        usersDn: `OU=Provisioned Users,${dc.baseDn}`,
        groupsDn: `OU=Provisioned Groups,${dc.baseDn}`,
        upnSuffix: 'example.test',
        initialPasswordEnv: 'AD_INITIAL_PASSWORD',
        tls: { rejectUnauthorized: false },
      },
    };
    connector = new AdConnector(connection, {
      AD_BIND_PASSWORD: dc.adminPassword,
      AD_INITIAL_PASSWORD: 'Init1al!Passw0rd',
    });
  }, 300_000); // provisioning a domain takes minutes on a loaded machine

  afterAll(async () => {
    await connector?.close();
    await dc?.stop();
  });

  let sequence = 0;
  const apply = (changeType: 'Added' | 'Deleted', accountKey: string, group?: string) =>
    connector.apply({
      orderId: `o-${++sequence}`,
      attempt: 1,
      changeType,
      connectionId: 'corp_ad',
      resourceTypeId: 'ad_account',
      identityId: `i-${accountKey}`,
      entitlementId: group ?? 'ad_account',
      changes: { accountKey, attributes: { displayName: `User ${accountKey}` }, ...(group ? { group } : {}) },
    });

  const sorted = (resources: {
    accounts: { accountKey: string }[];
    memberships: { accountKey: string; group: string }[];
  }) => ({
    accounts: [...resources.accounts].sort((a, b) => a.accountKey.localeCompare(b.accountKey)),
    memberships: [...resources.memberships].sort((a, b) =>
      `${a.accountKey}/${a.group}`.localeCompare(`${b.accountKey}/${b.group}`),
    ),
  });

  it('merges changes into the same result as a full read', async () => {
    await apply('Added', 'ann', 'staff');
    await apply('Added', 'bob', 'staff');
    await apply('Added', 'bob', 'admins');
    const readBack = new ReadBack(100);
    const first = await readBack.read('corp_ad', connector);
    expect(first.incremental).toBe(false);
    expect(sorted(first.resources)).toEqual(sorted(await connector.readAll()));

    await apply('Added', 'cid', 'staff');
    await apply('Deleted', 'bob', 'admins'); // admins is left empty
    await apply('Deleted', 'ann', 'staff');
    await apply('Deleted', 'ann'); // account gone
    const second = await readBack.read('corp_ad', connector);
    expect(second.incremental).toBe(true);
    const full = await connector.readAll();
    expect(sorted(second.resources)).toEqual(sorted(full));
    expect(full.memberships.some((m) => m.group === 'admins')).toBe(false);
    expect(full.accounts.some((a) => a.accountKey === 'ann')).toBe(false);
  }, 120_000);
});
