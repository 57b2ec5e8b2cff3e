import { Control, escapeFilter, type Client, type Entry } from 'ldapts';
import type { SynchronizedAccount, SynchronizedMembership, SynchronizedResources } from '../connector';
import type { AdConnectorSettings } from './ad-settings';
import { normalizeDn, UAC_ACCOUNTDISABLE } from './ad-values';

/**
 * Reading the directory back for synchronization. The connector sees only what lives under its
 * usersDn and groupsDn, and even there skips the objects AD marks isCriticalSystemObject
 * (Administrator, Guest, krbtgt, Domain Admins, Domain Users...): when usersDn is CN=Users those
 * share the container, and they are neither expected by the role model nor drift. Anything else
 * there, connector-made or not, is reported, so that an account created by hand is found as
 * non-conforming. Computers (also objectClass=user) are not accounts.
 */

export const USER_FILTER = '(&(objectClass=user)(!(objectClass=computer))(!(isCriticalSystemObject=TRUE)))';
export const GROUP_FILTER = '(&(objectClass=group)(!(isCriticalSystemObject=TRUE)))';
/** LDAP_SERVER_SHOW_DELETED_OID: makes tombstones (deleted objects) visible to a search. */
const SHOW_DELETED = '1.2.840.113556.1.4.417';

/** What changed since a USN (see readChangedSince). */
export interface AdChangesSince {
  /** Users created or changed (attributes, enabled/disabled) since the USN. */
  accounts: SynchronizedAccount[];
  /** Every current membership of the groups in changedGroups (not only the new ones). */
  memberships: SynchronizedMembership[];
  /** Groups created or whose member list changed since the USN. */
  changedGroups: string[];
  /** sAMAccountNames of users under usersDn deleted since the USN. */
  deletedAccountKeys: string[];
  /** The USN to pass to the next call. */
  nextUsn: number;
}

/** An attribute's values as text, whatever case the server spells its name in. */
export function attributeValues(entry: Entry, name: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) =>
    Buffer.isBuffer(v) ? v.toString('utf8') : String(v),
  );
}

export function firstValue(entry: Entry, name: string): string | undefined {
  return attributeValues(entry, name)[0];
}

export class AdReader {
  constructor(
    private readonly settings: AdConnectorSettings,
    private readonly session: () => Promise<Client>,
  ) {}

  /** Paged, because AD returns at most MaxPageSize (1000) entries to a search without paging. */
  async search(
    base: string,
    filter: string,
    attributes: string[],
    controls: Control[] = [],
  ): Promise<Entry[]> {
    const client = await this.session();
    const result = await client.search(
      base,
      { scope: 'sub', filter, attributes, paged: { pageSize: this.settings.pageSize } },
      controls,
    );
    return result.searchEntries;
  }

  /** The attribute names the connector reads from a user: the configured ones plus state and groups. */
  userAttributes(): string[] {
    return ['sAMAccountName', 'userAccountControl', 'memberOf', ...this.settings.attributes];
  }

  /** A user entry as synchronization sees it: configured attributes as text (a list when multi-valued). */
  toAccount(entry: Entry): SynchronizedAccount {
    const attributes: Record<string, unknown> = {};
    for (const name of this.settings.attributes) {
      const found = attributeValues(entry, name);
      if (found.length > 0) attributes[name] = found.length === 1 ? found[0] : found;
    }
    const uac = Number(firstValue(entry, 'userAccountControl') ?? 0);
    return {
      accountKey: firstValue(entry, 'sAMAccountName') ?? '',
      attributes,
      disabled: (uac & UAC_ACCOUNTDISABLE) !== 0,
    };
  }

  /** Managed groups: normalized DN → cn. */
  private async groups(): Promise<Map<string, string>> {
    const entries = await this.search(this.settings.groupsDn, GROUP_FILTER, ['cn']);
    return new Map(entries.map((e) => [normalizeDn(e.dn), firstValue(e, 'cn') ?? '']));
  }

  private memberships(users: Entry[], groups: Map<string, string>): SynchronizedMembership[] {
    // memberOf rather than the groups' member lists: AD hands out large member lists in ranges
    // (1500 values at a time), while a user's memberOf comes whole.
    return users.flatMap((user) => {
      const accountKey = firstValue(user, 'sAMAccountName') ?? '';
      return attributeValues(user, 'memberOf')
        .map((dn) => groups.get(normalizeDn(dn)))
        .filter((group): group is string => group !== undefined)
        .map((group) => ({ accountKey, group }));
    });
  }

  async readAll(): Promise<SynchronizedResources> {
    const groups = await this.groups();
    const users = await this.search(this.settings.usersDn, USER_FILTER, this.userAttributes());
    const byKey = (a: { accountKey: string }, b: { accountKey: string }) =>
      a.accountKey.localeCompare(b.accountKey);
    return {
      accounts: users.map((u) => this.toAccount(u)).sort(byKey),
      memberships: this.memberships(users, groups).sort(
        (a, b) => byKey(a, b) || a.group.localeCompare(b.group),
      ),
    };
  }

  /**
   * Incremental synchronization: every object AD changes gets a new uSNChanged, unique and
   * increasing on this domain controller (USNs are per DC: after a fail-over to another DC, start
   * over with readAll). A membership change bumps the group's USN, not the user's, so changed
   * groups are reported with their whole current member list. Deleted users are found as
   * tombstones (Show Deleted control) whose lastKnownParent lies under usersDn.
   */
  async readChangedSince(sinceUsn: number): Promise<AdChangesSince> {
    const client = await this.session();
    // Read before searching: whatever is committed meanwhile is seen again next time, never lost.
    const root = await client.search('', {
      scope: 'base',
      attributes: ['highestCommittedUSN', 'defaultNamingContext'],
    });
    const rootDse = root.searchEntries[0];
    const highest = Number(rootDse ? firstValue(rootDse, 'highestCommittedUSN') : NaN);
    const usn = escapeFilter`(uSNChanged>=${Math.max(0, Math.floor(sinceUsn))})`;
    const users = await this.search(this.settings.usersDn, `(&${USER_FILTER}${usn})`, this.userAttributes());
    const changedGroups = await this.search(this.settings.groupsDn, `(&${GROUP_FILTER}${usn})`, ['cn']);
    const memberships: SynchronizedMembership[] = [];
    for (const entry of changedGroups) {
      const group = firstValue(entry, 'cn') ?? '';
      const isMember = escapeFilter`(memberOf=${entry.dn})`;
      const members = await this.search(this.settings.usersDn, `(&${USER_FILTER}${isMember})`, [
        'sAMAccountName',
      ]);
      for (const member of members)
        memberships.push({ accountKey: firstValue(member, 'sAMAccountName') ?? '', group });
    }
    const namingContext = (rootDse && firstValue(rootDse, 'defaultNamingContext')) ?? this.settings.usersDn;
    const tombstones = await this.search(
      namingContext,
      `(&(isDeleted=TRUE)(objectClass=user)(!(objectClass=computer))${usn})`,
      ['sAMAccountName', 'lastKnownParent'],
      [new Control(SHOW_DELETED, { critical: true })],
    );
    const usersDn = normalizeDn(this.settings.usersDn);
    const deletedAccountKeys = tombstones
      .filter((t) => {
        const parent = normalizeDn(firstValue(t, 'lastKnownParent') ?? '');
        return parent === usersDn || parent.endsWith(`,${usersDn}`);
      })
      .map((t) => firstValue(t, 'sAMAccountName') ?? '')
      .filter((key) => key !== '');
    return {
      accounts: users.map((u) => this.toAccount(u)),
      memberships,
      changedGroups: changedGroups.map((g) => firstValue(g, 'cn') ?? ''),
      deletedAccountKeys,
      nextUsn: Number.isFinite(highest) ? highest + 1 : sinceUsn,
    };
  }
}
