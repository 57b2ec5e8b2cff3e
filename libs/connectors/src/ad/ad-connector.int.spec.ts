import type { RoleModelConnection } from '@prov/role-model';
import { freePort, startSambaAdDc, type RunningSambaAdDc } from '@prov/testing';
import { Client, type Entry } from 'ldapts';
import { PermanentConnectorError, TransientConnectorError } from '../errors';
import { findNonConforming, isOrderObserved } from '../observation';
import { AdConnector } from './ad-connector';
import { orderBuilder } from '../testing/order-builder';

// Runs against a real Samba AD domain controller of its own (provisioned by the harness).

const INITIAL = 'Init1al!Passw0rd';
let dc: RunningSambaAdDc;
let admin: Client;
let usersDn: string;
let groupsDn: string;
const connectors: AdConnector[] = [];

function connector(
  overrides: Record<string, unknown> = {},
  env: Record<string, string> = {},
  adoptExisting = false,
): AdConnector {
  const connection: RoleModelConnection = {
    id: 'corp_ad',
    adoptExisting,
    name: 'Corporate AD',
    connector: 'ad',
    fulfillment: 'automatic',
    settings: {
      url: dc.ldapsUrl,
      bindDn: dc.adminDn,
      bindPasswordEnv: 'AD_BIND_PASSWORD',
      usersDn,
      groupsDn,
      upnSuffix: 'example.test',
      initialPasswordEnv: 'AD_INITIAL_PASSWORD',
      timeoutMs: 5000,
      tls: { rejectUnauthorized: false }, // Samba's self-signed certificate
      ...overrides,
    },
  };
  const created = new AdConnector(connection, {
    AD_BIND_PASSWORD: dc.adminPassword,
    AD_INITIAL_PASSWORD: INITIAL,
    ...env,
  });
  connectors.push(created);
  return created;
}

const order = orderBuilder('corp_ad', 'ad_account');

/** The user as an administrator sees it, looked up in the whole domain. */
async function user(accountKey: string): Promise<Entry | undefined> {
  const found = await admin.search(dc.baseDn, {
    filter: `(&(objectClass=user)(sAMAccountName=${accountKey}))`,
    attributes: [
      'userAccountControl',
      'memberOf',
      'displayName',
      'department',
      'uSNChanged',
      'userPrincipalName',
    ],
  });
  expect(found.searchEntries.length).toBeLessThanOrEqual(1);
  return found.searchEntries[0];
}

async function canBind(accountKey: string, password: string): Promise<boolean> {
  const client = new Client({ url: dc.ldapsUrl, tlsOptions: { rejectUnauthorized: false } });
  try {
    await client.bind(`${accountKey}@example.test`, password);
    return true;
  } catch {
    return false;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

beforeAll(async () => {
  dc = await startSambaAdDc();
  usersDn = `OU=Provisioned Users,${dc.baseDn}`;
  groupsDn = `OU=Provisioned Groups,${dc.baseDn}`;
  admin = new Client({ url: dc.ldapsUrl, tlsOptions: { rejectUnauthorized: false } });
  await admin.bind(dc.adminDn, dc.adminPassword);
}, 300_000); // provisioning a domain takes minutes on a loaded machine

afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await admin?.unbind().catch(() => undefined);
  await dc?.stop();
});

describe('AdConnector on Samba AD', () => {
  it('passes its connection test before any order, announcing the OUs it will create', async () => {
    const result = await connector().test();
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^bound to dc1\.example\.test \(DC=example,DC=test\) as CN=Administrator/);
    expect(result.message).toContain(`usersDn ${usersDn} will be created`);
  });

  it('creates an enabled user that can bind with the initial password, once however often it is delivered', async () => {
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
    const inUsers = connector({ usersDn: `CN=Users,${dc.baseDn}`, groupsDn: `CN=Users,${dc.baseDn}` });
    await inUsers.apply(order('Added', 'cuser', 'cgroup', { displayName: 'C User' }));
    const all = await inUsers.readAll();
    expect(all.accounts.map((a) => a.accountKey)).toEqual(['cuser']);
    expect(all.memberships).toEqual([{ accountKey: 'cuser', group: 'cgroup' }]);
  });

  it('finds an account created by hand as non-conforming', async () => {
    await admin.add(`CN=intruder,${usersDn}`, { objectClass: 'user', sAMAccountName: 'intruder' });
    const all = await connector().readAll();
    const expected = all.accounts
      .filter((a) => a.accountKey !== 'intruder')
      .map((a) => ({ accountKey: a.accountKey }));
    expect(findNonConforming(all, expected).accounts.map((a) => a.accountKey)).toEqual(['intruder']);
  });

  it('does not take over an account created by hand unless the connection adopts existing accounts', async () => {
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
});
