import type { RoleModelConnection } from '@prov/role-model';
import { startSlapd, type RunningSlapd } from '@prov/testing';
import { Client, type Entry } from 'ldapts';
import { orderBuilder } from '../testing/order-builder';
import { LdapConnector } from './ldap-connector';

/**
 * What the LDAP connector's integration tests share: a real slapd (memberof + refint overlays,
 * ldaps:// too) started per test file, a root client to look at the directory behind the
 * connector's back, and connectors bound as the non-root service account, whose password comes
 * through the connector's env parameter as in production (never process.env).
 */

export const PASSWORD_ENV = 'CORP_LDAP_PASSWORD';

export interface TestDirectory {
  slapd: RunningSlapd;
  /** Bound as the rootdn: sees and changes everything, for assertions and out-of-band changes. */
  admin: Client;
  /** A connector of connection `corp_ldap` on this directory, closed after the file's tests. */
  connector(
    settings?: Record<string, unknown>,
    env?: Record<string, string>,
    adoptExisting?: boolean,
  ): LdapConnector;
  /** The entry with memberOf and entryCSN (which changes on every write), or undefined. */
  entry(dn: string, attributes?: string[]): Promise<Entry | undefined>;
  userDn(accountKey: string): string;
  groupDn(group: string): string;
}

/** Registers beforeAll/afterAll that start and stop the directory; use the result inside tests. */
export function useTestDirectory(): TestDirectory {
  const opened: LdapConnector[] = [];
  const directory = {
    connector(
      settings: Record<string, unknown> = {},
      env: Record<string, string> = {},
      adoptExisting = false,
    ) {
      const { slapd } = directory;
      const connection: RoleModelConnection = {
        id: 'corp_ldap',
        adoptExisting,
        name: 'Corporate directory',
        connector: 'ldap',
        fulfillment: 'automatic',
        settings: {
          url: slapd.url,
          bindDn: slapd.serviceDn,
          bindPasswordEnv: PASSWORD_ENV,
          accountsDn: slapd.peopleDn,
          groupsDn: slapd.groupsDn,
          // The test's slapd listens on loopback, in plain LDAP.
          allowInsecure: true,
          ...settings,
        },
      };
      const created = new LdapConnector(connection, { [PASSWORD_ENV]: slapd.servicePassword, ...env });
      opened.push(created);
      return created;
    },
    async entry(dn: string, attributes = ['*', 'memberOf', 'entryCSN']) {
      try {
        return (await directory.admin.search(dn, { scope: 'base', attributes })).searchEntries[0];
      } catch (error) {
        if ((error as { code?: unknown }).code === 32) return undefined; // noSuchObject
        throw error;
      }
    },
    userDn: (accountKey: string) => `uid=${accountKey},${directory.slapd.peopleDn}`,
    groupDn: (group: string) => `cn=${group},${directory.slapd.groupsDn}`,
  } as TestDirectory;

  beforeAll(async () => {
    directory.slapd = await startSlapd({
      adminPassword: 'Adm1n-Secret-Pw',
      servicePassword: 'S3rvice-Secret-Pw',
      tls: true,
    });
    directory.admin = new Client({ url: directory.slapd.url, timeout: 10_000 });
    await directory.admin.bind(directory.slapd.adminDn, directory.slapd.adminPassword);
  });

  afterAll(async () => {
    for (const c of opened) await c.close();
    await directory.admin?.unbind();
    await directory.slapd?.stop();
  });

  return directory;
}

/** An order of connection corp_ldap, as an agent hands it over. */
export const order = orderBuilder('corp_ldap', 'corp_account');

/** The attributes a typical role model maps for a person. */
export const person = (key: string, name: string) => ({
  uid: key,
  cn: name,
  sn: name.split(' ').pop(),
  mail: `${key}@example.test`,
  displayName: name,
});

/** ldapts gives one value as a text and several as a list; tests compare lists. */
export const list = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
