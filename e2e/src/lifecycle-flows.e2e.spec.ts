import { waitFor } from '@prov/testing';
import { values } from './directory-fixture';
import { lifecycleFlows } from './lifecycle-fixture';

jest.setTimeout(300_000);

/**
 * Joiner, mover and leaver through the whole system, with the sample's corp_ldap on a real slapd:
 * what the connector wrote is read back from the directory itself. Logins stay one identity's.
 * Birthright rules and holdings: birthright-flows.e2e.spec.ts.
 */
describe('identity lifecycle, end to end (LDAP)', () => {
  const { bed, unique, register, entry, permissions, waitForOrder } = lifecycleFlows();

  it('joiner, mover (new values, a login change renames the entry), leaver, reactivation', async () => {
    const login = unique('mover');
    expect((await register(login)).status).toBe(201);
    const assignmentId = await bed.flow.request(login, 'ldap_staff');
    await bed.flow.waitForState(assignmentId, 'Executed');
    expect(await entry(login)).toMatchObject({ sn: 'Lee', cn: 'Pat Lee', departmentNumber: 'IT' });

    const renamed = `${login}x`;
    const moved = await bed.flow.requester.request('PATCH', `/api/identities/${login}`, {
      body: { login: renamed, lastName: 'Moss' },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: login, login: renamed, lastName: 'Moss', active: true });
    const modified = await waitForOrder(assignmentId, 'Modified', 'Executed');
    const order = (await bed.flow.history(assignmentId)).find(
      (e) => e.type === 'ProvisioningOrderGenerated' && e.data.orderId === modified.currentOrder.orderId,
    );
    // Only what changed, and the rename said in the order.
    expect(order?.data.changes).toEqual({
      accountKey: renamed,
      previousAccountKey: login,
      attributes: { cn: 'Pat Moss', sn: 'Moss', displayName: 'Pat Moss' },
      group: 'staff',
    });
    expect(await entry(login)).toBeUndefined();
    const after = await entry(renamed);
    expect(after).toMatchObject({
      dn: `uid=${renamed},${bed.slapd.peopleDn}`,
      sn: 'Moss',
      cn: 'Pat Moss',
      departmentNumber: 'IT',
    });
    expect(values(after, 'memberOf')).toEqual([`cn=staff,${bed.slapd.groupsDn}`]);

    // Nothing computed changes: no order (the generated orders are counted below).
    expect(
      (
        await bed.flow.requester.request('PATCH', `/api/identities/${login}`, {
          body: { attributes: { badge: 'B-7' } },
        })
      ).status,
    ).toBe(200);
    expect(
      (await bed.flow.requester.request('PATCH', `/api/identities/${login}`, { body: { lastName: 'Moss' } }))
        .status,
    ).toBe(200);

    // Leaver: everything removed from the directory, new requests refused, state and history show it.
    const left = await bed.flow.requester.post(`/api/identities/${login}/deactivate`, {
      body: { comment: 'left the company' },
    });
    expect(left.status).toBe(200);
    expect(left.body).toMatchObject({ active: false });
    const deleted = await waitForOrder(assignmentId, 'Deleted', 'Executed');
    expect(deleted.workflowState).toBe('Revoked');
    expect(
      (await bed.flow.history(assignmentId))
        .filter((e) => e.type === 'ProvisioningOrderGenerated')
        .map((e) => e.data.changeType),
    ).toEqual(['Added', 'Modified', 'Deleted']);
    expect(await entry(renamed)).toBeUndefined();
    const refused = await bed.flow.requester.post('/api/assignments', {
      body: { identityId: login, entitlementId: 'ldap_staff' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/deactivated/);
    const shown = await waitFor(() => bed.flow.requester.get(`/api/identities/${login}`), {
      until: (r) => r.body.active === false,
      description: 'the directory to show the identity deactivated',
    });
    expect(shown.body.deactivatedAt).toEqual(expect.any(String));
    const events = await bed.flow.reviewer.get(`/api/audit/events?stream=identity-${login}`);
    expect(events.body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining([
        'IdentityRegistered',
        'IdentityUpdated',
        'IdentityDeactivated',
        'EntitlementReleased',
      ]),
    );

    // Reactivation: requests are accepted again.
    expect((await bed.flow.requester.post(`/api/identities/${login}/reactivate`)).status).toBe(200);
    const again = await bed.flow.request(login, 'ldap_staff');
    expect(again).not.toBe(assignmentId);
    await bed.flow.waitForState(again, 'Executed');
    expect(await entry(renamed)).toMatchObject({ sn: 'Moss' });
  });

  it('a leaver at a future date: scheduled, then deactivated when the time comes', async () => {
    const login = unique('later');
    expect((await register(login)).status).toBe(201);
    const assignmentId = await bed.flow.request(login, 'ldap_staff');
    await bed.flow.waitForState(assignmentId, 'Executed');
    const at = new Date(Date.now() + 3000).toISOString();
    const scheduled = await bed.flow.requester.post(`/api/identities/${login}/deactivate`, { body: { at } });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toMatchObject({ active: true, deactivationScheduledAt: at });
    await waitForOrder(assignmentId, 'Deleted', 'Executed');
    const identity = (await bed.flow.requester.get(`/api/identities/${login}`)).body;
    expect(identity).toMatchObject({ active: false });
    expect(Date.parse(identity.deactivatedAt)).toBeGreaterThanOrEqual(Date.parse(at));
    expect(await entry(login)).toBeUndefined();
  });

  it('two identities cannot share a login: 409 naming the holder, on registration and on a change', async () => {
    const login = unique('dup');
    expect((await register(login)).status).toBe(201);
    const second = await bed.flow.admin.post('/api/identities', {
      body: {
        id: `${login}-2`,
        login: login.toUpperCase(),
        firstName: 'B',
        lastName: 'B',
        email: 'b@example.test',
      },
    });
    expect(second.status).toBe(409);
    expect(second.body.message).toContain(`held by identity ${login}`);
    const other = unique('oth');
    expect((await register(other)).status).toBe(201);
    const taken = await bed.flow.requester.request('PATCH', `/api/identities/${other}`, { body: { login } });
    expect(taken.status).toBe(409);
    expect(taken.body.message).toContain(`held by identity ${login}`);
    // The directory read model follows the log (no read-your-writes on this route): wait for the
    // registration to show, then the refused change must not have touched the login.
    const shown = await waitFor(() => bed.flow.requester.get(`/api/identities/${other}`), {
      until: (response) => response.status === 200,
      description: `identity ${other} in the directory`,
    });
    expect(shown.body.login).toBe(other);
  });

  it('a duplicate request answers 200 with the existing assignment; other dates answer 409', async () => {
    const login = unique('twice');
    expect((await register(login)).status).toBe(201);
    const first = await bed.flow.request(login, 'hr_app_reader');
    const repeat = await bed.flow.requester.post('/api/assignments', {
      body: { identityId: login, entitlementId: 'hr_app_reader' },
    });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual({ assignmentId: first, created: false });
    const dated = await bed.flow.requester.post('/api/assignments', {
      body: { identityId: login, entitlementId: 'hr_app_reader', endsAt: '2099-01-01T00:00:00.000Z' },
    });
    expect(dated.status).toBe(409);
    expect(dated.body.message).toMatch(/other dates/);
    // The assignments read model follows the log: wait for the first to show, then there must be
    // exactly one.
    const shown = await waitFor(() => permissions(login), {
      until: (list) => list.some((p) => p.entitlementId === 'hr_app_reader'),
      description: `${login}'s hr_app_reader assignment in the read model`,
    });
    expect(shown.filter((p) => p.entitlementId === 'hr_app_reader')).toHaveLength(1);
  });

  it("a mover onto the login of a departed identity whose account's removal is not verified gets 7 Error naming both", async () => {
    const gone = unique('gone');
    expect((await register(gone)).status).toBe(201);
    const goneAssignment = await bed.flow.request(gone, 'ldap_staff');
    await bed.flow.waitForState(goneAssignment, 'Executed');
    expect((await bed.flow.requester.post(`/api/identities/${gone}/deactivate`, { body: {} })).status).toBe(
      200,
    );
    // Executed, not yet verified: the account may still be there, so the key is still the leaver's.
    await waitForOrder(goneAssignment, 'Deleted', 'Executed');
    const mover = unique('mov');
    expect((await register(mover)).status).toBe(201);
    const moverAssignment = await bed.flow.request(mover, 'ldap_staff');
    await bed.flow.waitForState(moverAssignment, 'Executed');

    const moved = await bed.flow.requester.request('PATCH', `/api/identities/${mover}`, {
      body: { login: gone },
    });
    expect(moved.status).toBe(200); // the login itself is free: its holder left
    const failed = await bed.flow.waitForState(moverAssignment, 'Error');
    expect(failed.currentOrder.lastError).toBe(
      `account key '${gone}' on connection corp_ldap is already the account of identity ${gone}; ` +
        `identity ${mover} computes the same key (one owner per account)`,
    );
    expect(await entry(mover)).toMatchObject({ uid: mover }); // nothing renamed onto the leaver's key
  });
});
