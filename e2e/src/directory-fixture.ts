import { Attribute, Change, Client } from 'ldapts';
import type { RunningSambaAdDc, RunningScimServer } from '@prov/testing';
import { writeFastRoleModel } from './role-model-fixture';

/** The sample's corp_ldap names these DNs: the slapd of the test is started with this base. */
export const SAMPLE_LDAP_BASE_DN = 'dc=example,dc=com';

/**
 * The sample role model as it ships (its corp_ldap connection included, pointed at the test's
 * slapd through CORP_LDAP_URL) plus an Active Directory and a SCIM connection, their resource
 * types and entitlements, and a sensitive directory entitlement. Values from the servers go in as
 * JSON strings, which YAML reads as double-quoted scalars.
 */
export function writeDirectoryRoleModel(dc: RunningSambaAdDc, scim: RunningScimServer): string {
  const q = JSON.stringify;
  const connections = `
  - id: corp_ad
    name: Active Directory (Samba AD DC)
    connector: ad
    fulfillment: automatic
    settings:
      url: ${q(dc.ldapsUrl)}
      bindDn: ${q(dc.adminDn)}
      bindPasswordEnv: CORP_AD_PASSWORD
      usersDn: ${q(`OU=Provisioned Users,${dc.baseDn}`)}
      groupsDn: ${q(`OU=Provisioned Groups,${dc.baseDn}`)}
      upnSuffix: ${q(dc.realm.toLowerCase())}
      tls: { rejectUnauthorized: false }   # Samba's self-signed certificate names the DC, not 127.0.0.x

  - id: wiki
    name: Wiki (SCIM 2.0)
    connector: scim
    fulfillment: automatic
    settings:
      baseUrl: ${q(scim.baseUrl)}
      tokenEnv: WIKI_SCIM_TOKEN
`;
  const resourceTypes = `
  - id: corp_ad_account
    name: AD account
    connection: corp_ad
    accountKey: login
    attributes:
      givenName: firstName
      sn: lastName
      displayName: trim(concat(firstName, " ", lastName))
      mail: email
    # The agent makes each new account's password and hands it over (PASSWORD_DELIVERY_DIR).
    generatePassword: { attribute: password, length: 20 }
    retryPolicy: { maxAttempts: 1 }

  # Passwords shorter than the domain's minimum (7): the domain refuses them, a permanent error.
  - id: corp_ad_weak_account
    name: AD account (passwords too short for the domain)
    connection: corp_ad
    accountKey: login
    attributes:
      displayName: trim(concat(firstName, " ", lastName))
    generatePassword: { attribute: password, length: 4 }
    retryPolicy: { maxAttempts: 1 }

  - id: wiki_account
    name: Wiki account
    connection: wiki
    accountKey: login
    attributes:
      displayName: trim(concat(firstName, " ", lastName))
      email: email
`;
  const entitlements = `
  - id: ldap_admins
    name: Directory - administrators
    resourceType: corp_ldap_account
    group: admins
    requiresProvisioningReview: true

  - id: ad_staff
    name: AD - staff
    resourceType: corp_ad_account
    group: staff

  - id: ad_weak
    name: AD - account with a password the domain refuses
    resourceType: corp_ad_weak_account

  - id: wiki_editors
    name: Wiki - editors
    resourceType: wiki_account
    group: editors
`;
  return writeFastRoleModel((yaml) => {
    for (const anchor of ['\nresourceTypes:\n', '\nentitlements:\n']) {
      if (!yaml.includes(anchor)) throw new Error(`the sample role model has no '${anchor.trim()}' section`);
    }
    return `${yaml
      .replace('\nresourceTypes:\n', `${connections}\nresourceTypes:\n`)
      .replace('\nentitlements:\n', `${resourceTypes}\nentitlements:\n`)
      .trimEnd()}\n${entitlements}`;
  });
}

/** An administrator's view of a directory, to check what the connectors wrote. */
export class DirectoryAdmin {
  private constructor(private readonly client: Client) {}

  static async connect(url: string, dn: string, password: string): Promise<DirectoryAdmin> {
    const client = new Client({
      url,
      ...(url.startsWith('ldaps:') ? { tlsOptions: { rejectUnauthorized: false } } : {}),
    });
    await client.bind(dn, password);
    return new DirectoryAdmin(client);
  }

  /** The single entry the filter finds under the base, with the attributes asked for, or undefined. */
  async find(
    base: string,
    filter: string,
    attributes: string[],
  ): Promise<Record<string, unknown> | undefined> {
    const { searchEntries } = await this.client.search(base, { filter, attributes });
    if (searchEntries.length > 1)
      throw new Error(`${filter} matches ${searchEntries.length} entries under ${base}`);
    return searchEntries[0];
  }

  async add(dn: string, attributes: Record<string, string | string[]>): Promise<void> {
    await this.client.add(dn, attributes);
  }

  /** Deletes an entry, as an administrator doing it by hand would. */
  async delete(dn: string): Promise<void> {
    await this.client.del(dn);
  }

  /** Replaces an attribute's values by hand. */
  async replace(dn: string, type: string, values: string[]): Promise<void> {
    await this.client.modify(
      dn,
      new Change({ operation: 'replace', modification: new Attribute({ type, values }) }),
    );
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined);
  }
}

/** An attribute's values as a list, however ldapts returned them. */
export function values(entry: Record<string, unknown> | undefined, name: string): string[] {
  const value = entry?.[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** What the SCIM server holds for a userName, asked directly. */
export async function scimUser(
  scim: RunningScimServer,
  userName: string,
): Promise<Record<string, unknown> | undefined> {
  const filter = encodeURIComponent(`userName eq "${userName}"`);
  const response = await fetch(`${scim.baseUrl}/Users?filter=${filter}`, {
    headers: { authorization: `Bearer ${scim.token}` },
  });
  const list = (await response.json()) as { Resources?: Array<Record<string, unknown>> };
  return list.Resources?.[0];
}
