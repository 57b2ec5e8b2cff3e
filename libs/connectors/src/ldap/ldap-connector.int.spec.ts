import { Attribute, Change } from 'ldapts';
import { PermanentConnectorError } from '../errors';
import { findNonConforming, isOrderObserved } from '../observation';
import { list, order, person, useTestDirectory } from './ldap-test-directory';

// Applying orders against a real slapd (memberof + refint overlays) and reading them back, as
// the agent and synchronization do. Tests build on each other's entries, in file order.

const dir = useTestDirectory();
let connector: ReturnType<typeof dir.connector>;
beforeAll(() => {
  connector = dir.connector();
});

describe('LdapConnector on slapd', () => {
  it('applies an Added order twice as once: one entry, one membership, memberOf kept by the overlay', async () => {
    const added = order('Added', 'jdoe', 'readers', person('jdoe', 'Jane Doe'));
    expect(isOrderObserved(added, await connector.readAll())).toBe(false);
    await connector.apply(added);
    const first = await dir.entry(dir.userDn('jdoe'));
    await connector.apply({ ...added, attempt: 2 });
    const again = await dir.entry(dir.userDn('jdoe'));
    expect(again?.entryCSN).toEqual(first?.entryCSN); // the redelivery wrote nothing
    const found = await dir.admin.search(dir.slapd.peopleDn, { scope: 'one', filter: '(uid=jdoe)' });
    expect(found.searchEntries).toHaveLength(1);
    expect(list((await dir.entry(dir.groupDn('readers')))?.member)).toEqual([dir.userDn('jdoe')]);
    expect(list(again?.memberOf)).toEqual([dir.groupDn('readers')]);
    expect(again).toMatchObject({
      cn: 'Jane Doe',
      sn: 'Doe',
      mail: 'jdoe@example.test',
      objectClass: 'inetOrgPerson',
    });
    expect(isOrderObserved(added, await connector.readAll())).toBe(true);
  });

  it('does not take over an entry made by hand unless the connection adopts existing accounts', async () => {
    await dir.admin.add(dir.userDn('foreign'), {
      objectClass: 'inetOrgPerson',
      uid: 'foreign',
      cn: 'Someone Else',
      sn: 'Else',
    });
    const added = order('Added', 'foreign', 'readers', person('foreign', 'Foreign User'));
    const refused = await connector.apply(added).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(PermanentConnectorError);
    expect(refused).toMatchObject({ code: 'ACCOUNT_NOT_OURS' });
    expect((refused as Error).message).toContain(
      "account 'foreign' already exists on connection 'corp_ldap' and was not created by the engine (cn, displayName, mail, sn differ",
    );
    expect(await dir.entry(dir.userDn('foreign'))).toMatchObject({ cn: 'Someone Else' });
    expect(list((await dir.entry(dir.groupDn('readers')))?.member)).not.toContain(dir.userDn('foreign'));

    await dir.connector({}, {}, true).apply(added);
    expect(await dir.entry(dir.userDn('foreign'))).toMatchObject({
      cn: 'Foreign User',
      mail: 'foreign@example.test',
    });
    await connector.apply({ ...added, attempt: 2 }); // showing the order's values, a redelivery converges
    await connector.apply(order('Deleted', 'foreign', 'readers'));
  });

  it('knows the entries it created by their creatorsName, even after they were changed by hand', async () => {
    await connector.apply(order('Added', 'marked', undefined, person('marked', 'Mark Ed')));
    const change = new Change({
      operation: 'replace',
      modification: new Attribute({ type: 'mail', values: ['hand@x.test'] }),
    });
    await dir.admin.modify(dir.userDn('marked'), change);
    await connector.apply(order('Added', 'marked', 'writers', person('marked', 'Mark Ed')));
    expect(await dir.entry(dir.userDn('marked'))).toMatchObject({ mail: 'marked@example.test' });
    await connector.apply(order('Deleted', 'marked', 'writers'));
  });

  it('derives cn and sn, which inetOrgPerson requires, when the mapping lacks them', async () => {
    await connector.apply(order('Added', 'nocn', undefined, { mail: 'nocn@example.test' }));
    expect(await dir.entry(dir.userDn('nocn'))).toMatchObject({ uid: 'nocn', cn: 'nocn', sn: 'nocn' });
    await connector.apply(order('Added', 'dispname', undefined, { displayName: 'Dis Play' }));
    expect(await dir.entry(dir.userDn('dispname'))).toMatchObject({ cn: 'Dis Play', sn: 'dispname' });
  });

  it('converges attributes on Modified, replacing only what differs and removing emptied ones', async () => {
    const modified = order('Modified', 'jdoe', undefined, {
      ...person('jdoe', 'Jane Smith'),
      mail: 'jane.smith@example.test',
      title: 'Engineer',
    });
    await connector.apply(modified);
    expect(await dir.entry(dir.userDn('jdoe'))).toMatchObject({
      cn: 'Jane Smith',
      sn: 'Smith',
      title: 'Engineer',
    });
    const cleared = order('Modified', 'jdoe', undefined, {
      title: null,
      telephoneNumber: ['+1 555 0100', '+1 555 0101'],
    });
    await connector.apply(cleared);
    const after = await dir.entry(dir.userDn('jdoe'));
    expect(after?.title).toBeUndefined();
    expect(after?.telephoneNumber).toEqual(['+1 555 0100', '+1 555 0101']);
    await connector.apply(cleared);
    expect((await dir.entry(dir.userDn('jdoe')))?.entryCSN).toEqual(after?.entryCSN);
    const synchronized = await connector.readAll();
    expect(isOrderObserved(modified, synchronized)).toBe(false); // cleared's change came after
    expect(isOrderObserved(cleared, synchronized)).toBe(true);
    expect(list(after?.memberOf)).toEqual([dir.groupDn('readers')]); // memberships untouched
  });

  it('creates the account on Modified when it is missing', async () => {
    await connector.apply(order('Modified', 'late', 'readers', person('late', 'Late Comer')));
    expect(await dir.entry(dir.userDn('late'))).toMatchObject({ cn: 'Late Comer' });
    expect(list((await dir.entry(dir.groupDn('readers')))?.member)).toContain(dir.userDn('late'));
  });

  it('renames the entry when the order maps the naming attribute to a new value; redelivery converges', async () => {
    await connector.apply(order('Added', 'jroe', 'writers', person('jroe', 'Jo Roe')));
    const rename = order('Modified', 'jroe', undefined, { ...person('jroe', 'Jo Roe'), uid: 'jroe2' });
    await connector.apply(rename);
    await connector.apply({ ...rename, attempt: 2 });
    expect(await dir.entry(dir.userDn('jroe'))).toBeUndefined();
    expect(await dir.entry(dir.userDn('jroe2'))).toMatchObject({
      uid: 'jroe2',
      memberOf: dir.groupDn('writers'),
    });
    expect(list((await dir.entry(dir.groupDn('writers')))?.member)).toEqual([dir.userDn('jroe2')]); // refint followed
    const synchronized = await connector.readAll();
    expect(synchronized.memberships).toContainEqual({ accountKey: 'jroe2', group: 'writers' });
    expect(synchronized.accounts.map((a) => a.accountKey)).not.toContain('jroe');
  });

  it('renames the entry on a Modified order naming the previous key (a login change); redelivery converges', async () => {
    await connector.apply(order('Added', 'kmove', 'writers', person('kmove', 'Kim Move')));
    const rename = order('Modified', 'kmove2', 'writers', { sn: 'Moved' });
    rename.changes.previousAccountKey = 'kmove';
    await connector.apply(rename);
    await connector.apply({ ...rename, attempt: 2 });
    expect(await dir.entry(dir.userDn('kmove'))).toBeUndefined();
    expect(await dir.entry(dir.userDn('kmove2'))).toMatchObject({
      uid: 'kmove2',
      sn: 'Moved',
      memberOf: dir.groupDn('writers'),
    });
    expect(list((await dir.entry(dir.groupDn('writers')))?.member)).toContain(dir.userDn('kmove2'));
    expect(list((await dir.entry(dir.groupDn('writers')))?.member)).not.toContain(dir.userDn('kmove'));
  });

  it('on Deleted removes the membership, keeps an emptied group with a placeholder, deletes the account with its last group', async () => {
    await connector.apply(order('Added', 'jdoe', 'admins', person('jdoe', 'Jane Smith')));
    const revokeAdmins = order('Deleted', 'jdoe', 'admins');
    await connector.apply(revokeAdmins);
    await connector.apply(revokeAdmins);
    expect(await dir.entry(dir.userDn('jdoe'))).toBeDefined();
    expect((await dir.entry(dir.groupDn('admins')))?.member).toBe(''); // the group stays, holding the empty DN
    expect(isOrderObserved(revokeAdmins, await connector.readAll())).toBe(true);

    const revokeReaders = order('Deleted', 'jdoe', 'readers');
    await connector.apply(revokeReaders);
    await connector.apply(revokeReaders); // already gone: still a success
    expect(await dir.entry(dir.userDn('jdoe'))).toBeUndefined();
    expect(list((await dir.entry(dir.groupDn('readers')))?.member)).toEqual([dir.userDn('late')]);
    expect(isOrderObserved(revokeReaders, await connector.readAll())).toBe(true);
    await connector.apply(order('Deleted', 'never-existed', 'readers'));
    await connector.apply(order('Deleted', 'never-existed', 'no-such-group'));

    await connector.apply(order('Added', 'late', 'admins', person('late', 'Late Comer')));
    expect((await dir.entry(dir.groupDn('admins')))?.member).toBe(dir.userDn('late')); // placeholder swapped out
  });

  it('deletes an account-only entitlement, and keeps an account that is still in a group', async () => {
    const deleted = order('Deleted', 'nocn');
    await connector.apply(deleted);
    await connector.apply(deleted);
    expect(await dir.entry(dir.userDn('nocn'))).toBeUndefined();
    expect(isOrderObserved(deleted, await connector.readAll())).toBe(true);
    await connector.apply(order('Deleted', 'late')); // still in readers and admins
    expect(await dir.entry(dir.userDn('late'))).toBeDefined();
  });

  it('with onDelete: disable marks the account instead of deleting it, and a new grant enables it', async () => {
    const disabling = dir.connector({ onDelete: 'disable' });
    await disabling.apply(order('Added', 'leaver', 'readers', person('leaver', 'Lee Ver')));
    await disabling.apply(order('Deleted', 'leaver', 'readers'));
    await disabling.apply(order('Deleted', 'leaver', 'readers'));
    expect(await dir.entry(dir.userDn('leaver'))).toMatchObject({ description: 'disabled' });
    let synchronized = await disabling.readAll();
    expect(synchronized.accounts.find((a) => a.accountKey === 'leaver')).toMatchObject({ disabled: true });
    expect(synchronized.memberships).not.toContainEqual({ accountKey: 'leaver', group: 'readers' });
    await disabling.apply(order('Added', 'leaver', 'readers', person('leaver', 'Lee Ver')));
    expect((await dir.entry(dir.userDn('leaver')))?.description).toBeUndefined();
    synchronized = await disabling.readAll();
    expect(synchronized.accounts.find((a) => a.accountKey === 'leaver')?.disabled).toBeUndefined();
  });

  it('reads back what apply wrote, in the terms of the orders', async () => {
    const added = order('Added', 'amy', 'readers', {
      ...person('amy', 'Amy Ng'),
      employeeNumber: 42,
      mobile: ['+1 1', '+1 2'],
    });
    await connector.apply(added);
    const synchronized = await connector.readAll();
    const amy = synchronized.accounts.find((a) => a.accountKey === 'amy');
    expect(amy?.attributes).toEqual({
      uid: 'amy',
      cn: 'Amy Ng',
      sn: 'Ng',
      mail: 'amy@example.test',
      displayName: 'Amy Ng',
      employeeNumber: '42',
      mobile: ['+1 1', '+1 2'],
    });
    expect(isOrderObserved(added, synchronized)).toBe(true);
    expect(synchronized.memberships.filter((m) => m.accountKey === 'amy')).toEqual([
      { accountKey: 'amy', group: 'readers' },
    ]);
  });

  it('lets synchronization spot an entry and a membership created out of band', async () => {
    await dir.admin.add(dir.userDn('intruder'), {
      objectClass: 'inetOrgPerson',
      uid: 'intruder',
      cn: 'In Truder',
      sn: 'Truder',
    });
    const member = new Attribute({ type: 'member', values: [dir.userDn('intruder')] });
    await dir.admin.modify(dir.groupDn('readers'), new Change({ operation: 'add', modification: member }));
    const synchronized = await connector.readAll();
    const expected = synchronized.accounts
      .filter((a) => a.accountKey !== 'intruder')
      .map((a) => ({ accountKey: a.accountKey }));
    const expectedMemberships = synchronized.memberships.filter((m) => m.accountKey !== 'intruder');
    const drift = findNonConforming(synchronized, [...expected, ...expectedMemberships]);
    expect(drift.accounts.map((a) => a.accountKey)).toEqual(['intruder']);
    expect(drift.memberships).toEqual([{ accountKey: 'intruder', group: 'readers' }]);
  });

  it('never loses a grant applied together with a revocation of the same account', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `race${round}`;
      await connector.apply(order('Added', key, 'team-a', person(key, 'Race Condition')));
      await Promise.all([
        connector.apply(order('Deleted', key, 'team-a')),
        connector.apply(order('Added', key, 'team-b', person(key, 'Race Condition'))),
      ]);
      expect(list((await dir.entry(dir.userDn(key)))?.memberOf)).toEqual([dir.groupDn('team-b')]);
    }
  });

  it('reports what changed since a point in time (modifyTimestamp, whole seconds)', async () => {
    await connector.apply(order('Added', 'before', undefined, person('before', 'Be Fore')));
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20)); // next second
    const since = new Date();
    await connector.apply(order('Added', 'after', 'recent', person('after', 'Af Ter')));
    const changed = await connector.readChangedSince(since);
    expect(changed.accounts.map((a) => a.accountKey)).toEqual(['after']);
    expect(changed.groups).toEqual(['recent']);
    expect(changed.memberships).toEqual([{ accountKey: 'after', group: 'recent' }]);
  });
});
