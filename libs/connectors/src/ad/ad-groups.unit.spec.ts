import type { Change, Client } from 'ldapts';
import { AdGroups } from './ad-groups';
import type { AdConnectorSettings } from './ad-settings';

const GROUPS_DN = 'OU=Provisioned Groups,DC=corp,DC=example';
const USER = 'CN=Ann Lee,OU=Provisioned Users,DC=corp,DC=example';
const STAFF = `CN=staff,${GROUPS_DN}`;

const ldapError = (code: number, message: string) => Object.assign(new Error(message), { code });

/**
 * A directory of groups and their members, answering as AD does (32 for a missing entry, 68 for
 * a member already there). `vanish` deletes a group right before the next membership change
 * reaches it, as an administrator deleting it behind the connector's back would.
 */
function directory() {
  const members = new Map<string, Set<string>>();
  const calls = { add: 0, modify: 0 };
  let vanish = 0;
  const client = {
    search: async (dn: string) => {
      if (!members.has(dn)) throw ldapError(32, 'No Such Object');
      return { searchEntries: [{ dn, objectClass: ['top', 'group'] }] };
    },
    add: async (dn: string) => {
      calls.add++;
      members.set(dn, new Set());
    },
    modify: async (dn: string, change: Change) => {
      calls.modify++;
      if (vanish > 0) {
        vanish--;
        members.delete(dn);
      }
      const group = members.get(dn);
      if (!group) throw ldapError(32, 'No Such Object');
      const [member] = change.modification.values as string[];
      if (group.has(member)) throw ldapError(68, 'Entry Already Exists');
      group.add(member);
    },
  } as unknown as Client;
  const groups = new AdGroups({ groupsDn: GROUPS_DN } as AdConnectorSettings, async () => client);
  return { groups, members, calls, vanishTimes: (times: number) => (vanish = times) };
}

describe('AdGroups.addMembership', () => {
  it('creates a missing group, then adds the member', async () => {
    const { groups, members, calls } = directory();
    await groups.addMembership(USER, 'staff');
    expect([...(members.get(STAFF) ?? [])]).toEqual([USER]);
    expect(calls).toEqual({ add: 1, modify: 1 });
  });

  it('counts a member already there as done', async () => {
    const { groups, members, calls } = directory();
    await groups.addMembership(USER, 'staff');
    await groups.addMembership(USER, 'staff');
    expect([...(members.get(STAFF) ?? [])]).toEqual([USER]);
    expect(calls).toEqual({ add: 1, modify: 2 });
  });

  it('creates a group deleted behind its back again, once, and adds the member', async () => {
    const { groups, members, calls, vanishTimes } = directory();
    await groups.addMembership('CN=Bob Roy,OU=Provisioned Users,DC=corp,DC=example', 'staff');
    vanishTimes(1);
    await groups.addMembership(USER, 'staff');
    expect([...(members.get(STAFF) ?? [])]).toEqual([USER]);
    expect(calls).toEqual({ add: 2, modify: 3 });
  });

  it('gives up with the directory’s answer when the group is gone again on the second try', async () => {
    const { groups, calls, vanishTimes } = directory();
    await groups.addMembership('CN=Bob Roy,OU=Provisioned Users,DC=corp,DC=example', 'staff');
    vanishTimes(2);
    await expect(groups.addMembership(USER, 'staff')).rejects.toMatchObject({ code: 32 });
    expect(calls).toEqual({ add: 2, modify: 3 });
  });
});
