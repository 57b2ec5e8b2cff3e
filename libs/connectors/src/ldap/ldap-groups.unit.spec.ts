import type { Change, Client } from 'ldapts';
import { LdapGroups, type LdapOperation } from './ldap-groups';

const GROUPS = 'ou=groups,dc=example,dc=com';
const STAFF = `cn=staff,${GROUPS}`;
const person = (login: string) => `uid=${login},ou=people,dc=example,dc=com`;

/** A result code as ldapts throws it. */
class LdapResult extends Error {
  constructor(readonly code: number) {
    super(`LDAP result ${code}`);
  }
}

/**
 * One groupOfNames as slapd keeps it: a modify is all or nothing, adding a value already there
 * answers 20, deleting one that is not there 16; `refuse` holds members the server refuses (50).
 */
function directory(members: string[] = []) {
  const group = new Set(members);
  const refuse = new Set<string>();
  const modifies: { dn: string; added: string[] }[] = [];
  const client = {
    async modify(dn: string, change: Change | Change[]) {
      const changes = Array.isArray(change) ? change : [change];
      const values = (c: Change) => c.modification.values.map(String);
      modifies.push({
        dn,
        added: changes.filter((c) => c.operation === 'add').flatMap(values),
      });
      for (const c of changes) {
        for (const value of values(c)) {
          if (c.operation === 'add' && refuse.has(value)) throw new LdapResult(50);
          if (c.operation === 'add' && group.has(value)) throw new LdapResult(20);
          if (c.operation === 'delete' && !group.has(value)) throw new LdapResult(16);
        }
      }
      for (const c of changes) {
        for (const value of values(c)) {
          if (c.operation === 'add') group.add(value);
          else group.delete(value);
        }
      }
    },
  } as unknown as Client;
  const op: LdapOperation = async (_context, work, expected = []) => {
    try {
      await work(client);
      return undefined;
    } catch (error) {
      if (error instanceof LdapResult && expected.includes(error.code)) return error.code;
      throw error;
    }
  };
  return { group, refuse, modifies, op };
}

describe('LdapGroups: members added at the same time (ADR 0058)', () => {
  it('go to a group known without a placeholder in one modify', async () => {
    const target = directory([person('first')]);
    const groups = new LdapGroups(GROUPS, target.op);
    // The first order finds out that the group has no placeholder (two modifies, as before).
    await groups.addMember('staff', person('a'));
    expect(target.modifies).toHaveLength(2);

    const logins = ['b', 'c', 'd', 'e', 'f'];
    await Promise.all(logins.map((login) => groups.addMember('staff', person(login))));

    expect(target.modifies.slice(2)).toEqual([{ dn: STAFF, added: logins.map(person) }]);
    expect([...target.group]).toEqual(['first', 'a', ...logins].map(person));
  });

  it('adds each member alone, each with its own answer, when the shared modify is refused', async () => {
    const target = directory([person('first')]);
    const groups = new LdapGroups(GROUPS, target.op);
    await groups.addMember('staff', person('a'));
    target.refuse.add(person('refused'));
    const before = target.modifies.length;

    // 'a' is a member already (a redelivered order), 'refused' is not allowed: the shared modify
    // writes nothing, then each member is tried alone.
    const results = await Promise.allSettled(
      ['a', 'b', 'refused', 'c'].map((login) => groups.addMember('staff', person(login))),
    );

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(target.modifies.slice(before).map((m) => m.added.length)).toEqual([4, 1, 1, 1, 1]);
    expect([...target.group]).toEqual(['first', 'a', 'b', 'c'].map(person));
  });

  it('wait, while the first member finds out how the group stands, and then share one modify', async () => {
    const target = directory([person('first')]);
    const groups = new LdapGroups(GROUPS, target.op);
    // A fresh connector (an agent just restarted) and a backlog of members for one large group.
    const logins = ['a', 'b', 'c', 'd', 'e'];
    await Promise.all(logins.map((login) => groups.addMember('staff', person(login))));

    expect(target.modifies).toEqual([
      { dn: STAFF, added: [person('a')] }, // with the placeholder's delete: refused, there is none
      { dn: STAFF, added: [person('a')] },
      { dn: STAFF, added: ['b', 'c', 'd', 'e'].map(person) },
    ]);
    expect([...target.group]).toEqual(['first', ...logins].map(person));
  });

  it('let a member that waited for a failed first one try alone', async () => {
    const target = directory([person('first')]);
    const groups = new LdapGroups(GROUPS, target.op);
    target.refuse.add(person('refused'));
    const answers = await Promise.allSettled([
      groups.addMember('staff', person('refused')),
      groups.addMember('staff', person('b')),
    ]);

    expect(answers.map((a) => a.status)).toEqual(['rejected', 'fulfilled']);
    expect([...target.group]).toEqual(['first', 'b'].map(person));
  });

  it("tell the caller when a member waits only for the group's shared modify (ADR 0077), never when it goes alone", async () => {
    const target = directory([person('first')]);
    const groups = new LdapGroups(GROUPS, target.op);
    const sharing: string[] = [];
    const progress = (login: string) => ({ sharingWrite: () => sharing.push(login) });
    // The first member of a group not known yet goes alone, and those that wait for it go on
    // after it: one sharing its modify, the other alone after the first one failed.
    target.refuse.add(person('refused'));
    await Promise.allSettled([
      groups.addMember('staff', person('refused'), progress('refused')),
      groups.addMember('staff', person('alone'), progress('alone')),
    ]);
    expect(sharing).toEqual([]);

    await groups.addMember('staff', person('known'), progress('known'));
    const logins = ['b', 'c', 'd'];
    const adding = Promise.all(
      logins.map((login) => groups.addMember('staff', person(login), progress(login))),
    );
    // Told before the write is made: the caller frees its slot while the modify is out.
    expect(sharing).toEqual(['known', ...logins]);
    await adding;
    expect([...target.group]).toEqual(['first', 'alone', 'known', ...logins].map(person));
  });
});
