import type { RunningScimServer } from '@prov/testing';
import { PermanentConnectorError } from '../errors';
import { findNonConforming, isOrderObserved } from '../observation';
import { connection, failure, order, outOfBand, startWiki } from './scim-test-fixture';
import { ScimConnector } from './scim-connector';

// Runs against the real scimmy-based SCIM server of @prov/testing, started once for this file:
// accounts, memberships and renames as the target keeps them. Refusals and failures are in
// scim-connector-failures.int.spec.ts.

describe('ScimConnector on the scimmy SCIM server', () => {
  let server: RunningScimServer;
  let connector: ScimConnector;
  let settings: Record<string, unknown>;
  const { scim, usersNamed, group } = outOfBand(() => server);

  beforeAll(async () => {
    ({ server, settings, connector } = await startWiki());
  });

  afterAll(async () => {
    await connector?.close();
    await server?.stop();
  });

  it('applies an Added order twice as once: one user, one membership; observed only after', async () => {
    const attributes = {
      displayName: 'Jane Doe',
      givenName: 'Jane',
      familyName: 'Doe',
      email: 'jane@example.org',
    };
    const added = order('Added', 'jdoe', 'readers', { ...attributes, active: true });
    expect(isOrderObserved(added, await connector.readAll())).toBe(false);
    await connector.apply(added);
    const [created] = await usersNamed('jdoe');
    await connector.apply({ ...added, attempt: 2 });
    const users = await usersNamed('jdoe');
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({
      id: created.id,
      externalId: 'i-jdoe',
      displayName: 'Jane Doe',
      name: { givenName: 'Jane', familyName: 'Doe' },
      emails: [{ value: 'jane@example.org', primary: true }],
      active: true,
    });
    // The redelivery wrote nothing: PATCH only runs when something differs.
    expect((users[0].meta as { lastModified: string }).lastModified).toBe(
      (created.meta as { lastModified: string }).lastModified,
    );
    expect((await group('readers')).members.map((m) => m.value)).toEqual([created.id]);
    const all = await connector.readAll();
    expect(isOrderObserved(added, all)).toBe(true);
    expect(all.accounts.find((a) => a.accountKey === 'jdoe')).toEqual({
      accountKey: 'jdoe',
      attributes: { userName: 'jdoe', externalId: 'i-jdoe', ...attributes, active: true },
      disabled: false,
    });
  });

  it('does not take over a user created out of band (409 uniqueness) unless the connection adopts existing accounts', async () => {
    const outOfBand = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'bob',
      title: 'x',
    });
    // The lookup misses the user (a lagging search index), so the POST meets it: 409, look again.
    await server.staleNext(1);
    const added = order('Added', 'bob', 'readers', { displayName: 'Bob', department: 'IT' });
    const refused = await failure(connector.apply(added));
    expect(refused).toBeInstanceOf(PermanentConnectorError);
    expect(refused).toMatchObject({ code: 'ACCOUNT_NOT_OURS' });
    expect(refused.message).toContain(
      "account 'bob' already exists on connection 'wiki' and was not created by the engine",
    );
    expect((await usersNamed('bob'))[0]).not.toHaveProperty('displayName');

    const adopting = new ScimConnector(
      { ...connection, settings, adoptExisting: true },
      { WIKI_SCIM_TOKEN: server.token },
    );
    try {
      await server.staleNext(1);
      await adopting.apply(added);
    } finally {
      await adopting.close();
    }
    const users = await usersNamed('bob');
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ id: outOfBand.id, displayName: 'Bob', title: 'x', externalId: 'i-bob' });
    expect(isOrderObserved(added, await connector.readAll())).toBe(true);
    // Now marked as the engine's (externalId): a redelivery, or another entitlement, converges without adoption.
    await connector.apply({ ...added, attempt: 2 });
  });

  it('converges when two agents apply the same orders at once', async () => {
    const twin = new ScimConnector({ ...connection, settings }, { WIKI_SCIM_TOKEN: server.token });
    try {
      const added = order('Added', 'carol', 'writers', { displayName: 'Carol' });
      await Promise.all([connector.apply(added), twin.apply(added), twin.apply({ ...added, attempt: 2 })]);
      expect(await usersNamed('carol')).toHaveLength(1);
      expect((await group('writers')).members).toHaveLength(1);
      expect(isOrderObserved(added, await twin.readAll())).toBe(true);
    } finally {
      await twin.close();
    }
  });

  it('patches only what a Modified order changes, and removes values set to null', async () => {
    const modified = order('Modified', 'jdoe', undefined, {
      displayName: 'Jane Smith',
      familyName: 'Smith',
      email: null,
      active: 'false',
      department: 'Sales',
    });
    await connector.apply(modified);
    const [user] = await usersNamed('jdoe');
    expect(user).toMatchObject({
      displayName: 'Jane Smith',
      name: { givenName: 'Jane', familyName: 'Smith' },
    });
    expect(user.emails).toBeUndefined();
    const all = await connector.readAll();
    expect(isOrderObserved(modified, all)).toBe(true);
    expect(all.accounts.find((a) => a.accountKey === 'jdoe')?.disabled).toBe(true);
  });

  it('renames the user on a Modified order naming the previous key (a login change), once however often', async () => {
    await connector.apply(order('Added', 'mover', 'readers', { displayName: 'Max Mover' }));
    const [before] = await usersNamed('mover');
    const renamed = order('Modified', 'mover2', 'readers', { displayName: 'Max Moved' });
    renamed.changes.previousAccountKey = 'mover';
    await connector.apply(renamed);
    await connector.apply(renamed); // redelivered: found under its new name
    expect(await usersNamed('mover')).toEqual([]);
    const after = await usersNamed('mover2');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: before.id, displayName: 'Max Moved' });
    expect((await group('readers')).members.map((m) => m.value)).toContain(before.id);
    expect(isOrderObserved(renamed, await connector.readAll())).toBe(true);
    await connector.apply(order('Deleted', 'mover2', 'readers')); // the tests below count the users
    expect(await usersNamed('mover2')).toEqual([]);
  });

  it('on Deleted removes the membership, then the user with its last one; twice is fine', async () => {
    await connector.apply(order('Added', 'jdoe', 'admins'));
    const revokeAdmins = order('Deleted', 'jdoe', 'admins');
    await connector.apply(revokeAdmins);
    expect(await usersNamed('jdoe')).toHaveLength(1);
    expect(isOrderObserved(revokeAdmins, await connector.readAll())).toBe(true);

    const revokeReaders = order('Deleted', 'jdoe', 'readers');
    await connector.apply(revokeReaders);
    expect(await usersNamed('jdoe')).toHaveLength(0);
    await connector.apply(revokeReaders);
    await connector.apply(order('Deleted', 'never-existed', 'readers'));
    const deleted = order('Deleted', 'jdoe');
    expect(isOrderObserved(deleted, await connector.readAll())).toBe(true);
  });

  it('reads every page and spots an account nobody assigned', async () => {
    await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'intruder',
    });
    const all = await connector.readAll(); // pageSize 2: several pages of users
    expect(all.accounts.map((a) => a.accountKey)).toEqual(['bob', 'carol', 'intruder']);
    expect(all.memberships).toEqual([
      { accountKey: 'bob', group: 'readers' },
      { accountKey: 'carol', group: 'writers' },
    ]);
    const drift = findNonConforming(all, [
      { accountKey: 'bob', group: 'readers' },
      { accountKey: 'carol', group: 'writers' },
    ]);
    expect(drift.accounts.map((a) => a.accountKey)).toEqual(['intruder']);
    expect(drift.memberships).toEqual([]);
  });

  it('keys accounts by externalId when configured so, and renames userName on Modified', async () => {
    const keyed = new ScimConnector(
      { ...connection, settings: { ...settings, userNameAttribute: 'externalId' } },
      { WIKI_SCIM_TOKEN: server.token },
    );
    try {
      await keyed.apply(order('Added', 'E42', 'writers', { userName: 'erin' }));
      const renamed = order('Modified', 'E42', 'writers', { userName: 'erin.r' });
      await keyed.apply(renamed);
      await keyed.apply(renamed);
      expect(await usersNamed('erin')).toHaveLength(0);
      expect(await usersNamed('erin.r')).toMatchObject([{ externalId: 'E42' }]);
      const all = await keyed.readAll();
      expect(isOrderObserved(renamed, all)).toBe(true);
      await keyed.apply(order('Deleted', 'E42', 'writers'));
      expect(await usersNamed('erin.r')).toHaveLength(0);
    } finally {
      await keyed.close();
    }
  });

  it('passes its connection test', async () => {
    await expect(connector.test()).resolves.toEqual({
      ok: true,
      message: `SCIM service at ${server.baseUrl} answered (3 users; patch and filter supported)`,
    });
  });
});
