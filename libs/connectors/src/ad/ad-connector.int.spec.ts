import { isOrderObserved } from '../observation';
import { INITIAL, order, sambaAd } from './ad-test-fixture';
import { adRefusalsAndReads } from './ad-refusals-test-cases';

// Runs against a real Samba AD domain controller of its own (provisioned by the harness): one
// for the whole file, so the refusals, read-back and failures are a module that this describe
// registers after the accounts and groups, in the order they ran (ad-refusals-test-cases.ts).

describe('AdConnector on Samba AD', () => {
  const ad = sambaAd();
  const { bed, connector, user, canBind } = ad;

  it('passes its connection test before any order, announcing the OUs it will create', async () => {
    const { usersDn } = bed;
    const result = await connector().test();
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^bound to dc1\.example\.test \(DC=example,DC=test\) as CN=Administrator/);
    expect(result.message).toContain(`usersDn ${usersDn} will be created`);
  });

  it('creates an enabled user that can bind with the initial password, once however often it is delivered', async () => {
    const { usersDn } = bed;
    const ad = connector();
    const added = order('Added', 'jdoe', undefined, {
      givenName: 'Jane',
      sn: 'Doe',
      displayName: 'Jane Doe',
    });
    // It says it set the password (the agent hands a generated one to the person only then)...
    expect(await ad.apply(added)).toEqual({ passwordSet: true });
    expect(await canBind('jdoe', INITIAL)).toBe(true); // (a logon changes the entry, hence first)
    const first = await user('jdoe');
    expect(first?.dn).toBe(`CN=jdoe,${usersDn}`);
    expect(first?.userAccountControl).toBe('512');
    expect(first?.userPrincipalName).toBe('jdoe@example.test');

    // ...and not on a redelivery, which leaves the password its owner knows.
    expect(await ad.apply({ ...added, attempt: 2 })).toEqual({ passwordSet: false });
    expect((await user('jdoe'))?.uSNChanged).toBe(first?.uSNChanged); // the redelivery wrote nothing
    expect(isOrderObserved(added, await ad.readAll())).toBe(true);
  });

  it("uses the order's password attribute (the one the agent generated), and never reads it back", async () => {
    const ad = connector();
    await ad.apply(
      order('Added', 'pwuser', undefined, { displayName: 'Pw User', password: 'Own!Passw0rd9' }),
    );
    expect(await canBind('pwuser', 'Own!Passw0rd9')).toBe(true);
    expect(await canBind('pwuser', INITIAL)).toBe(false);
    const account = (await ad.readAll()).accounts.find((a) => a.accountKey === 'pwuser');
    expect(account?.attributes).toEqual({ displayName: 'Pw User' });
  });

  it('creates the group as a global security group and adds the member, idempotently', async () => {
    const { admin, groupsDn } = bed;
    const ad = connector();
    const granted = order('Added', 'jdoe', 'readers', { displayName: 'Jane Doe' });
    await ad.apply(granted);
    await ad.apply({ ...granted, attempt: 2 });
    expect((await user('jdoe'))?.memberOf).toBe(`CN=readers,${groupsDn}`);
    const group = await admin.search(`CN=readers,${groupsDn}`, { scope: 'base', attributes: ['groupType'] });
    expect(group.searchEntries[0]?.groupType).toBe('-2147483646');
    const all = await ad.readAll();
    expect(all.memberships).toContainEqual({ accountKey: 'jdoe', group: 'readers' });
    expect(isOrderObserved(granted, all)).toBe(true);
  });

  it('changes attributes on Modified, clearing empty ones, without enabling a disabled account', async () => {
    const ad = connector();
    await ad.apply(order('Modified', 'jdoe', undefined, { department: 'Sales' }));
    const modified = order('Modified', 'jdoe', undefined, { displayName: 'Jane Smith', department: null });
    await ad.apply(modified);
    expect(await user('jdoe')).toMatchObject({ displayName: 'Jane Smith' });
    expect((await user('jdoe'))?.department).toEqual([]); // ldapts: requested but absent
    expect(isOrderObserved(modified, await ad.readAll())).toBe(true);

    await connector({ onDelete: 'disable' }).apply(order('Deleted', 'jdoe'));
    await ad.apply(order('Modified', 'jdoe', undefined, { displayName: 'Jane S.' }));
    expect((await user('jdoe'))?.userAccountControl).toBe('514');
  });

  it('renames the user on a Modified order naming the previous key (a login change); groups follow; redelivery converges', async () => {
    const { usersDn, groupsDn } = bed;
    const ad = connector();
    await ad.apply(order('Added', 'kmove', 'movers', { displayName: 'Kim Move' }));
    const rename = order('Modified', 'kmove2', 'movers', { displayName: 'Kim Moved' });
    rename.changes.previousAccountKey = 'kmove';
    expect(await ad.apply(rename)).toEqual({ passwordSet: false });
    expect(await ad.apply({ ...rename, attempt: 2 })).toEqual({ passwordSet: false });
    expect(await user('kmove')).toBeUndefined();
    expect(await user('kmove2')).toMatchObject({
      dn: `CN=kmove2,${usersDn}`,
      userPrincipalName: 'kmove2@example.test',
      displayName: 'Kim Moved',
      userAccountControl: '512',
      memberOf: `CN=movers,${groupsDn}`, // AD moved the member value with the entry
    });
    expect(await canBind('kmove2', INITIAL)).toBe(true); // the same account: its password kept
    const all = await ad.readAll();
    expect(all.accounts.map((a) => a.accountKey)).not.toContain('kmove');
    expect(all.memberships.filter((m) => m.group === 'movers')).toEqual([
      { accountKey: 'kmove2', group: 'movers' },
    ]);
    expect(isOrderObserved(rename, all)).toBe(true);

    // A rename onto a key another account has is refused, naming both, and changes nothing.
    await ad.apply(order('Added', 'other', undefined, { displayName: 'Other' }));
    const clash = order('Modified', 'other', undefined, { displayName: 'Kim' });
    clash.changes.previousAccountKey = 'kmove2';
    await expect(ad.apply(clash)).rejects.toMatchObject({
      code: 'RENAME_TARGET_EXISTS',
      message: expect.stringContaining("cannot rename account 'kmove2' to 'other'"),
    });
    expect(await user('kmove2')).toMatchObject({ displayName: 'Kim Moved' });
  });

  it('finishes a rename interrupted after the entry was moved (the CN is new, sAMAccountName still old)', async () => {
    const { admin, usersDn } = bed;
    const ad = connector();
    await ad.apply(order('Added', 'halfren', undefined, { displayName: 'Half Renamed' }));
    await admin.modifyDN(`CN=halfren,${usersDn}`, 'CN=halfren2');
    const rename = order('Modified', 'halfren2', undefined, { displayName: 'Half Renamed' });
    rename.changes.previousAccountKey = 'halfren';
    await ad.apply(rename);
    expect(await user('halfren')).toBeUndefined();
    expect(await user('halfren2')).toMatchObject({
      dn: `CN=halfren2,${usersDn}`,
      userPrincipalName: 'halfren2@example.test',
    });
  });

  it('with onDelete: disable, disables on Deleted and enables again on Added, keeping the password', async () => {
    const ad = connector({ onDelete: 'disable' });
    await ad.apply(order('Added', 'dora', 'readers', { displayName: 'Dora' }));
    const deleted = order('Deleted', 'dora');
    await ad.apply(deleted);
    await ad.apply(deleted);
    expect((await user('dora'))?.userAccountControl).toBe('514');
    expect(await canBind('dora', INITIAL)).toBe(false);
    const all = await ad.readAll();
    expect(all.accounts.find((a) => a.accountKey === 'dora')?.disabled).toBe(true);
    expect(all.memberships).toContainEqual({ accountKey: 'dora', group: 'readers' });

    await ad.apply(order('Added', 'dora', undefined, { displayName: 'Dora' }));
    expect((await user('dora'))?.userAccountControl).toBe('512');
    expect(await canBind('dora', INITIAL)).toBe(true);
  });

  it('on Deleted removes a membership and keeps the account; deletes the account on an account-only Deleted', async () => {
    const ad = connector();
    await ad.apply(order('Added', 'max', 'readers', { displayName: 'Max' }));
    const revoke = order('Deleted', 'max', 'readers');
    await ad.apply(revoke);
    await ad.apply(revoke); // not a member any more: converged
    expect((await user('max'))?.memberOf).toEqual([]);
    expect(isOrderObserved(revoke, await ad.readAll())).toBe(true);

    const deleted = order('Deleted', 'max');
    await ad.apply(deleted);
    await ad.apply(deleted);
    await ad.apply(order('Deleted', 'never-existed', 'readers'));
    expect(await user('max')).toBeUndefined();
    expect(isOrderObserved(deleted, await ad.readAll())).toBe(true);
  });

  adRefusalsAndReads(ad);
});
