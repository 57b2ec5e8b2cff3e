import { AndFilter, EqualityFilter, type Entry, type Filter } from 'ldapts';
import type { SynchronizedAccount, SynchronizedMembership, SynchronizedResources } from '../connector';
import type { LdapOperation } from './ldap-groups';
import type { LdapConnectorSettings } from './ldap-settings';
import { childRdnValue, entryAttribute, entryValues, reportedValue } from './ldap-values';

/**
 * Reading the directory back for synchronization, in the terms orders use: an account's key is
 * its RDN value, its attributes are what apply writes (one value as a text, several as a list),
 * a membership is (accountKey, group cn). Both containers are read with paged one-level searches,
 * so a directory larger than the server's size limit per request is read whole.
 */

// Never reported: the class list is the connector's business, and a password hash must not
// travel into events. '*' and '+' are ldapts' echo of requested attributes the entry lacks.
const NOT_REPORTED = new Set(['dn', 'objectclass', 'userpassword', '*', '+']);

export interface DirectoryContent extends SynchronizedResources {
  /** Names of the groups read, with their complete membership (matters for incremental reads). */
  groups: string[];
}

/** A paged one-level search, handing each entry over page by page so memory stays bounded. */
async function searchPages(
  op: LdapOperation,
  pageSize: number,
  base: string,
  filters: Filter[],
  attributes: string[],
  each: (entry: Entry) => void,
): Promise<void> {
  const filter = filters.length === 1 ? filters[0] : new AndFilter({ filters });
  await op(`search ${base}`, async (client) => {
    const pages = client.searchPaginated(base, { scope: 'one', filter, attributes, paged: { pageSize } });
    for await (const page of pages) page.searchEntries.forEach(each);
  });
}

/** Every account and membership under the configured containers; `extraFilter` narrows both searches. */
export async function readDirectory(
  settings: LdapConnectorSettings,
  op: LdapOperation,
  extraFilter?: Filter,
): Promise<DirectoryContent> {
  const { accountsDn, groupsDn, rdnAttribute, objectClasses, disabledAttribute, disabledValue, pageSize } =
    settings;
  const extra = extraFilter ? [extraFilter] : [];
  const accounts: SynchronizedAccount[] = [];
  const classes = objectClasses.map((value) => new EqualityFilter({ attribute: 'objectClass', value }));
  await searchPages(op, pageSize, accountsDn, [...classes, ...extra], ['*', disabledAttribute], (entry) => {
    const accountKey = childRdnValue(entry.dn, rdnAttribute, accountsDn);
    if (accountKey === undefined) return; // named by another attribute: not one of ours
    const attributes: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(entry)) {
      const value = NOT_REPORTED.has(name.toLowerCase()) ? undefined : reportedValue(entryValues(raw));
      if (value !== undefined) attributes[name] = value;
    }
    const disabled = entryValues(entryAttribute(entry, disabledAttribute)).some(
      (v) => v.toLowerCase() === disabledValue.toLowerCase(),
    );
    accounts.push({ accountKey, attributes, ...(disabled ? { disabled: true } : {}) });
  });

  const memberships: SynchronizedMembership[] = [];
  const groups: string[] = [];
  const groupClass = new EqualityFilter({ attribute: 'objectClass', value: 'groupOfNames' });
  await searchPages(op, pageSize, groupsDn, [groupClass, ...extra], ['cn', 'member'], (entry) => {
    const group = childRdnValue(entry.dn, 'cn', groupsDn);
    if (group === undefined) return;
    groups.push(group);
    for (const member of entryValues(entryAttribute(entry, 'member'))) {
      // Members outside the accounts container (other groups, the empty placeholder) are not accounts.
      const accountKey = childRdnValue(member, rdnAttribute, accountsDn);
      if (accountKey !== undefined) memberships.push({ accountKey, group });
    }
  });

  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  accounts.sort((a, b) => byText(a.accountKey, b.accountKey));
  memberships.sort((a, b) => byText(a.accountKey, b.accountKey) || byText(a.group, b.group));
  return { accounts, memberships, groups: groups.sort(byText) };
}
