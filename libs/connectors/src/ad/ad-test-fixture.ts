import type { RoleModelConnection } from '@prov/role-model';
import { startSambaAdDc, type RunningSambaAdDc } from '@prov/testing';
import { Client, type Entry } from 'ldapts';
import { orderBuilder } from '../testing/order-builder';
import { AdConnector } from './ad-connector';

export const INITIAL = 'Init1al!Passw0rd';

export const order = orderBuilder('corp_ad', 'ad_account');

export interface SambaAdServers {
  dc: RunningSambaAdDc;
  /** The domain's administrator, to look at and to change the directory out of band. */
  admin: Client;
  usersDn: string;
  groupsDn: string;
}

export type SambaAd = ReturnType<typeof sambaAd>;

/**
 * What the AdConnector specs share: a real Samba AD domain controller of their own (provisioned
 * by the harness in beforeAll, stopped in afterAll: call it inside `describe`), connectors to it
 * and an administrator's view of it. `bed` holds the servers once they run.
 */
export function sambaAd() {
  const bed = {} as SambaAdServers;
  const connectors: AdConnector[] = [];

  beforeAll(async () => {
    bed.dc = await startSambaAdDc();
    bed.usersDn = `OU=Provisioned Users,${bed.dc.baseDn}`;
    bed.groupsDn = `OU=Provisioned Groups,${bed.dc.baseDn}`;
    bed.admin = new Client({ url: bed.dc.ldapsUrl, tlsOptions: { rejectUnauthorized: false } });
    await bed.admin.bind(bed.dc.adminDn, bed.dc.adminPassword);
  }, 300_000); // provisioning a domain takes minutes on a loaded machine

  afterAll(async () => {
    await Promise.all(connectors.map((c) => c.close()));
    await bed.admin?.unbind().catch(() => undefined);
    await bed.dc?.stop();
  });

  function connector(
    overrides: Record<string, unknown> = {},
    env: Record<string, string> = {},
    adoptExisting = false,
  ): AdConnector {
    const connection: RoleModelConnection = {
      id: 'corp_ad',
      adoptExisting,
      name: 'Corporate AD',
      connector: 'ad',
      fulfillment: 'automatic',
      settings: {
        url: bed.dc.ldapsUrl,
        bindDn: bed.dc.adminDn,
        bindPasswordEnv: 'AD_BIND_PASSWORD',
        usersDn: bed.usersDn,
        groupsDn: bed.groupsDn,
        upnSuffix: 'example.test',
        initialPasswordEnv: 'AD_INITIAL_PASSWORD',
        timeoutMs: 5000,
        tls: { rejectUnauthorized: false }, // Samba's self-signed certificate
        ...overrides,
      },
    };
    const created = new AdConnector(connection, {
      AD_BIND_PASSWORD: bed.dc.adminPassword,
      AD_INITIAL_PASSWORD: INITIAL,
      ...env,
    });
    connectors.push(created);
    return created;
  }

  /** The user as an administrator sees it, looked up in the whole domain. */
  async function user(accountKey: string): Promise<Entry | undefined> {
    const found = await bed.admin.search(bed.dc.baseDn, {
      filter: `(&(objectClass=user)(sAMAccountName=${accountKey}))`,
      attributes: [
        'userAccountControl',
        'memberOf',
        'displayName',
        'department',
        'uSNChanged',
        'userPrincipalName',
      ],
    });
    expect(found.searchEntries.length).toBeLessThanOrEqual(1);
    return found.searchEntries[0];
  }

  async function canBind(accountKey: string, password: string): Promise<boolean> {
    const client = new Client({ url: bed.dc.ldapsUrl, tlsOptions: { rejectUnauthorized: false } });
    try {
      await client.bind(`${accountKey}@example.test`, password);
      return true;
    } catch {
      return false;
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  return { bed, connector, user, canBind };
}
