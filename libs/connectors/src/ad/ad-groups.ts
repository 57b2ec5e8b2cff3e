import { handleWhen, retry } from 'cockatiel';
import { Attribute, Change, escapeFilter, type Client } from 'ldapts';
import { PermanentConnectorError } from '../errors';
import {
  LDAP_ATTRIBUTE_OR_VALUE_EXISTS,
  LDAP_ENTRY_ALREADY_EXISTS,
  LDAP_NO_SUCH_ATTRIBUTE,
  LDAP_NO_SUCH_OBJECT,
  LDAP_UNWILLING_TO_PERFORM,
  ldapResultCode,
} from './ad-errors';
import { attributeValues, firstValue } from './ad-reader';
import type { AdConnectorSettings } from './ad-settings';
import { childDn, GLOBAL_SECURITY_GROUP, normalizeDn } from './ad-values';

const GROUP_GONE = retry(
  handleWhen((error) => ldapResultCode(error) === LDAP_NO_SUCH_OBJECT),
  { maxAttempts: 1 },
);

/**
 * Group memberships behind AdConnector.apply, converging like the account writes (ad-accounts.ts):
 * "already a member" and "no such member" count as done, and a missing group is created.
 */
export class AdGroups {
  /** Groups known to exist (normalized DNs), to spare a lookup per membership. */
  private readonly knownGroups = new Set<string>();

  constructor(
    private readonly settings: AdConnectorSettings,
    private readonly session: () => Promise<Client>,
  ) {}

  async addMembership(userDn: string, group: string): Promise<void> {
    const client = await this.session();
    // A group deleted behind our back is created again, once.
    await GROUP_GONE.execute(async () => {
      const groupDn = await this.ensureGroup(group);
      try {
        await client.modify(groupDn, memberChange('add', userDn));
      } catch (error) {
        const code = ldapResultCode(error);
        // AD answers 68 for a member already there, other servers 20.
        if (code === LDAP_ENTRY_ALREADY_EXISTS || code === LDAP_ATTRIBUTE_OR_VALUE_EXISTS) return;
        if (code === LDAP_NO_SUCH_OBJECT) this.knownGroups.delete(normalizeDn(groupDn));
        throw error;
      }
    });
  }

  async removeMembership(userDn: string, group: string): Promise<void> {
    const client = await this.session();
    const groupDn = childDn('CN', group, this.settings.groupsDn);
    try {
      await client.modify(groupDn, memberChange('delete', userDn));
    } catch (error) {
      const code = ldapResultCode(error);
      if (code === LDAP_NO_SUCH_OBJECT) return; // no group, no membership
      // AD answers 53 for a value that is not there, other servers 16; either way, check.
      if (code === LDAP_UNWILLING_TO_PERFORM || code === LDAP_NO_SUCH_ATTRIBUTE) {
        const still = await client.search(groupDn, {
          scope: 'base',
          filter: escapeFilter`(member=${userDn})`,
          attributes: ['cn'],
        });
        if (still.searchEntries.length === 0) return;
      }
      throw error;
    }
  }

  /** CN=<group>,<groupsDn>, created as a global security group when missing. */
  private async ensureGroup(group: string): Promise<string> {
    const dn = childDn('CN', group, this.settings.groupsDn);
    if (this.knownGroups.has(normalizeDn(dn))) return dn;
    const client = await this.session();
    try {
      const [entry] = (
        await client.search(dn, { scope: 'base', attributes: ['objectClass', 'isCriticalSystemObject'] })
      ).searchEntries;
      const classes = entry ? attributeValues(entry, 'objectClass').map((c) => c.toLowerCase()) : [];
      if (!classes.includes('group')) {
        throw new PermanentConnectorError(`${dn} exists but is not a group`, { code: 'NOT_A_GROUP' });
      }
      if (entry && firstValue(entry, 'isCriticalSystemObject') === 'TRUE') {
        throw new PermanentConnectorError(
          `${dn} is a built-in group of the domain; the connector does not manage it`,
          {
            code: 'BUILT_IN',
          },
        );
      }
    } catch (error) {
      if (ldapResultCode(error) !== LDAP_NO_SUCH_OBJECT) throw error;
      const entry = { objectClass: 'group', sAMAccountName: group, groupType: GLOBAL_SECURITY_GROUP };
      await client.add(dn, entry).catch((failure: unknown) => {
        if (ldapResultCode(failure) !== LDAP_ENTRY_ALREADY_EXISTS) throw failure; // created concurrently
      });
    }
    this.knownGroups.add(normalizeDn(dn));
    return dn;
  }
}

function memberChange(operation: 'add' | 'delete', userDn: string): Change {
  return new Change({ operation, modification: new Attribute({ type: 'member', values: [userDn] }) });
}
