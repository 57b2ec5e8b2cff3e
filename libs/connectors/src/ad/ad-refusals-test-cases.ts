import { freePort } from '@prov/testing';
import { PermanentConnectorError, TransientConnectorError } from '../errors';
import { findNonConforming } from '../observation';
import { INITIAL, order, type SambaAd } from './ad-test-fixture';

/**
 * What the AdConnector refuses (passwords the domain rejects, attributes it would not read back,
 * built-in and foreign accounts), what it reads back (only under its DNs; incrementally by USN),
 * and how it fails (wrong password, missing rights, no directory). Registered by
 * ad-connector.int.spec.ts, inside its describe and on its domain controller, after the accounts
 * and groups it made.
 */
export function adRefusalsAndReads({ bed, connector, user, canBind }: SambaAd): void {
  it("refuses a password the domain's policy rejects, with the domain's reason, leaving no account behind", async () => {
    const ad = connector();
    const error = await ad
      .apply(order('Added', 'weakling', undefined, { displayName: 'Weak', password: 'abcd' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentConnectorError);
    expect((error as PermanentConnectorError).code).toBe('19');
    expect((error as Error).message).toMatch(/check_password_restrictions: the password is too short/);
    expect((error as Error).message).not.toContain('abcd');
    expect(await user('weakling')).toBeUndefined();

    const noPassword = connector({ initialPasswordEnv: undefined });
    await expect(noPassword.apply(order('Added', 'nopw'))).rejects.toMatchObject({ code: 'NO_PASSWORD' });
    expect(await user('nopw')).toBeUndefined();
  });

  it('finishes a creation interrupted before the password was set: password, then enable', async () => {
    const { admin, usersDn } = bed;
    // What a crash between the add and the password set leaves: the order's values, disabled, pwdLastSet = 0.
    await admin.add(`CN=halfway,${usersDn}`, {
      objectClass: 'user',
      sAMAccountName: 'halfway',
      displayName: 'Half Way',
      userAccountControl: '514',
    });
    const ad = connector();
    const weak = order('Added', 'halfway', undefined, { password: 'short' });
    await expect(ad.apply(weak)).rejects.toBeInstanceOf(PermanentConnectorError);
    expect((await user('halfway'))?.userAccountControl).toBe('514'); // refused: still disabled

    expect(await ad.apply(order('Added', 'halfway', undefined, { displayName: 'Half Way' }))).toEqual({
      passwordSet: true,
    });
    expect((await user('halfway'))?.userAccountControl).toBe('512');
    expect(await canBind('halfway', INITIAL)).toBe(true);
  });

  it('refuses attributes it would not read back, and built-in accounts', async () => {
    const { dc } = bed;
    const ad = connector();
    await expect(ad.apply(order('Added', 'jdoe', undefined, { shoeSize: 42 }))).rejects.toMatchObject({
      code: 'INVALID_ORDER',
    });
    const builtIn = connector({ usersDn: `CN=Users,${dc.baseDn}` });
    await expect(builtIn.apply(order('Deleted', 'Administrator'))).rejects.toMatchObject({
      code: 'BUILT_IN',
    });
  });

  it('reads back only what lives under its DNs, without built-in accounts and groups', async () => {
    const { dc } = bed;
    const inUsers = connector({ usersDn: `CN=Users,${dc.baseDn}`, groupsDn: `CN=Users,${dc.baseDn}` });
    await inUsers.apply(order('Added', 'cuser', 'cgroup', { displayName: 'C User' }));
    const all = await inUsers.readAll();
    expect(all.accounts.map((a) => a.accountKey)).toEqual(['cuser']);
    expect(all.memberships).toEqual([{ accountKey: 'cuser', group: 'cgroup' }]);
  });

  it('finds an account created by hand as non-conforming', async () => {
    const { admin, usersDn } = bed;
    await admin.add(`CN=intruder,${usersDn}`, { objectClass: 'user', sAMAccountName: 'intruder' });
    const all = await connector().readAll();
    const expected = all.accounts
      .filter((a) => a.accountKey !== 'intruder')
      .map((a) => ({ accountKey: a.accountKey }));
    expect(findNonConforming(all, expected).accounts.map((a) => a.accountKey)).toEqual(['intruder']);
  });

  it('does not take over an account created by hand unless the connection adopts existing accounts', async () => {
    const { admin, usersDn } = bed;
    await admin.add(`CN=foreign,${usersDn}`, {
      objectClass: 'user',
      sAMAccountName: 'foreign',
      displayName: 'Someone Else',
    });
    const added = order('Added', 'foreign', undefined, { displayName: 'Foreign User' });
    const refused = await connector()
      .apply(added)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PermanentConnectorError);
    expect(refused).toMatchObject({ code: 'ACCOUNT_NOT_OURS' });
    expect((refused as Error).message).toContain("account 'foreign' already exists on connection 'corp_ad'");
    await connector({}, {}, true).apply(added);
    const [user] = (await connector().readAll()).accounts.filter((a) => a.accountKey === 'foreign');
    expect(user).toMatchObject({ attributes: { displayName: 'Foreign User' }, disabled: false });
    await connector().apply({ ...added, attempt: 2 }); // the engine's values now: a redelivery converges
    await connector().apply(order('Deleted', 'foreign'));
  });

  it('reads incrementally only what changed since a USN', async () => {
    const ad = connector();
    await ad.apply(order('Added', 'stay', undefined, { displayName: 'Stay' }));
    await ad.apply(order('Added', 'gone', 'writers', { displayName: 'Gone' }));
    const { nextUsn } = await ad.readChangedSince(0);
    expect((await ad.readChangedSince(nextUsn)).accounts).toEqual([]);

    await ad.apply(order('Modified', 'pwuser', undefined, { title: 'Engineer' }));
    await ad.apply(order('Added', 'stay', 'writers', { displayName: 'Stay' }));
    await ad.apply(order('Deleted', 'gone'));
    const changes = await ad.readChangedSince(nextUsn);
    expect(changes.accounts.map((a) => a.accountKey)).toEqual(['pwuser']);
    expect(changes.accounts[0]?.attributes).toMatchObject({ title: 'Engineer' });
    expect(changes.changedGroups).toEqual(['writers']);
    expect(changes.memberships).toEqual([{ accountKey: 'stay', group: 'writers' }]);
    expect(changes.deletedAccountKeys).toEqual(['gone']);
    expect(changes.nextUsn).toBeGreaterThan(nextUsn);
  });

  it("fails its connection test with the directory's message, never the password", async () => {
    const result = await connector({}, { AD_BIND_PASSWORD: 'Wrong!Passw0rd' }).test();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/AcceptSecurityContext error, data 52e/);
    expect(result.message).not.toContain('Wrong!Passw0rd');
  });

  it('reports missing rights as permanent and an unreachable directory as transient', async () => {
    const asUser = connector({ bindDn: 'stay@example.test' }, { AD_BIND_PASSWORD: INITIAL });
    const denied = await asUser.apply(order('Added', 'sneaky', undefined, {})).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PermanentConnectorError);
    expect(denied).toMatchObject({
      code: '50',
      message: expect.stringMatching(/unable to get access to CN=sneaky/),
    });

    const unreachable = connector({ url: `ldaps://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    await expect(unreachable.apply(order('Added', 'x'))).rejects.toBeInstanceOf(TransientConnectorError);
    expect((await unreachable.test()).ok).toBe(false);
  });
}
