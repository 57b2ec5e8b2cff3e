import { type RunningSlapd, type RunningSystem, startSlapd, startSystem, waitFor } from '@prov/testing';
import { DirectoryAdmin, SAMPLE_LDAP_BASE_DN, values } from './directory-fixture';
import { Flow } from './flow-helpers';
import { writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(300_000);

interface Permission {
  assignmentId: string;
  entitlementId: string;
  workflowState: string;
  provisioningState: string;
  currentOrder: { changeType: string } | null;
  origin: string[];
}

/**
 * Joiner, mover, leaver and birthright rules through the whole system, with the sample's
 * corp_ldap on a real slapd: what the connector wrote is read back from the directory itself.
 */
describe('identity lifecycle, end to end (LDAP)', () => {
  let slapd: RunningSlapd;
  let system: RunningSystem;
  let flow: Flow;
  let ldap: DirectoryAdmin;
  let counter = 0;

  beforeAll(async () => {
    slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN });
    system = await startSystem({
      roleModel: writeFastRoleModel(),
      env: { DEACTIVATION_CHECK_MS: '300' },
      serviceEnv: { agent: { CORP_LDAP_URL: slapd.url, CORP_LDAP_PASSWORD: slapd.servicePassword } },
    });
    flow = new Flow(system);
    ldap = await DirectoryAdmin.connect(slapd.url, slapd.adminDn, slapd.adminPassword);
  });

  afterAll(async () => {
    await ldap?.close();
    await system?.stop();
    await slapd?.stop();
  });

  const unique = (prefix: string) => `${prefix}${++counter}${Date.now().toString(36)}`;

  async function register(login: string, extra: Record<string, unknown> = {}) {
    return flow.admin.post('/api/identities', {
      body: {
        id: login,
        login,
        firstName: 'Pat',
        lastName: 'Lee',
        email: `${login}@example.test`,
        department: 'IT',
        ...extra,
      },
    });
  }

  const entry = (uid: string) =>
    ldap.find(slapd.peopleDn, `(uid=${uid})`, ['uid', 'sn', 'cn', 'departmentNumber', 'memberOf']);

  async function permissions(identityId: string): Promise<Permission[]> {
    return (await flow.requester.get(`/api/identities/${identityId}/permissions`)).body;
  }

  /** Waits until the assignment's current order is of this change type and in this state. */
  function waitForOrder(assignmentId: string, changeType: string, state: string) {
    return waitFor(() => flow.assignment(assignmentId), {
      until: (a) => a.currentOrder?.changeType === changeType && a.provisioningState === state,
      timeoutMs: 30_000,
      description: `a ${changeType} order of ${assignmentId} in ${state}`,
    });
  }

  it('joiner, mover (new values, a login change renames the entry), leaver, reactivation', async () => {
    const login = unique('mover');
    expect((await register(login)).status).toBe(201);
    const assignmentId = await flow.request(login, 'ldap_staff');
    await flow.waitForState(assignmentId, 'Executed');
    expect(await entry(login)).toMatchObject({ sn: 'Lee', cn: 'Pat Lee', departmentNumber: 'IT' });

    const renamed = `${login}x`;
    const moved = await flow.requester.request('PATCH', `/api/identities/${login}`, {
      body: { login: renamed, lastName: 'Moss' },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: login, login: renamed, lastName: 'Moss', active: true });
    const modified = await waitForOrder(assignmentId, 'Modified', 'Executed');
    const order = (await flow.history(assignmentId)).find(
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
      dn: `uid=${renamed},${slapd.peopleDn}`,
      sn: 'Moss',
      cn: 'Pat Moss',
      departmentNumber: 'IT',
    });
    expect(values(after, 'memberOf')).toEqual([`cn=staff,${slapd.groupsDn}`]);

    // Nothing computed changes: no order (the generated orders are counted below).
    expect(
      (
        await flow.requester.request('PATCH', `/api/identities/${login}`, {
          body: { attributes: { badge: 'B-7' } },
        })
      ).status,
    ).toBe(200);
    expect(
      (await flow.requester.request('PATCH', `/api/identities/${login}`, { body: { lastName: 'Moss' } }))
        .status,
    ).toBe(200);

    // Leaver: everything removed from the directory, new requests refused, state and history show it.
    const left = await flow.requester.post(`/api/identities/${login}/deactivate`, {
      body: { comment: 'left the company' },
    });
    expect(left.status).toBe(200);
    expect(left.body).toMatchObject({ active: false });
    const deleted = await waitForOrder(assignmentId, 'Deleted', 'Executed');
    expect(deleted.workflowState).toBe('Revoked');
    expect(
      (await flow.history(assignmentId))
        .filter((e) => e.type === 'ProvisioningOrderGenerated')
        .map((e) => e.data.changeType),
    ).toEqual(['Added', 'Modified', 'Deleted']);
    expect(await entry(renamed)).toBeUndefined();
    const refused = await flow.requester.post('/api/assignments', {
      body: { identityId: login, entitlementId: 'ldap_staff' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/deactivated/);
    const shown = await waitFor(() => flow.requester.get(`/api/identities/${login}`), {
      until: (r) => r.body.active === false,
      description: 'the directory to show the identity deactivated',
    });
    expect(shown.body.deactivatedAt).toEqual(expect.any(String));
    const events = await flow.reviewer.get(`/api/audit/events?stream=identity-${login}`);
    expect(events.body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining([
        'IdentityRegistered',
        'IdentityUpdated',
        'IdentityDeactivated',
        'EntitlementReleased',
      ]),
    );

    // Reactivation: requests are accepted again.
    expect((await flow.requester.post(`/api/identities/${login}/reactivate`)).status).toBe(200);
    const again = await flow.request(login, 'ldap_staff');
    expect(again).not.toBe(assignmentId);
    await flow.waitForState(again, 'Executed');
    expect(await entry(renamed)).toMatchObject({ sn: 'Moss' });
  });

  it('a leaver at a future date: scheduled, then deactivated when the time comes', async () => {
    const login = unique('later');
    expect((await register(login)).status).toBe(201);
    const assignmentId = await flow.request(login, 'ldap_staff');
    await flow.waitForState(assignmentId, 'Executed');
    const at = new Date(Date.now() + 3000).toISOString();
    const scheduled = await flow.requester.post(`/api/identities/${login}/deactivate`, { body: { at } });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toMatchObject({ active: true, deactivationScheduledAt: at });
    await waitForOrder(assignmentId, 'Deleted', 'Executed');
    const identity = (await flow.requester.get(`/api/identities/${login}`)).body;
    expect(identity).toMatchObject({ active: false });
    expect(Date.parse(identity.deactivatedAt)).toBeGreaterThanOrEqual(Date.parse(at));
    expect(await entry(login)).toBeUndefined();
  });

  it('a birthright rule grants the finance group to Finance and removes it when the department changes', async () => {
    const login = unique('fin');
    expect((await register(login, { department: 'Finance' })).status).toBe(201);
    const granted = await waitFor(() => permissions(login), {
      until: (list) =>
        list.some((p) => p.entitlementId === 'ldap_finance' && p.provisioningState === 'Executed'),
      timeoutMs: 30_000,
      description: 'the birthright rule to grant ldap_finance',
    });
    const finance = granted.find((p) => p.entitlementId === 'ldap_finance')!;
    expect(finance.origin).toEqual(['rule:finance_directory']);
    expect(values(await entry(login), 'memberOf')).toEqual([`cn=finance,${slapd.groupsDn}`]);

    const revoke = await flow.requester.delete(`/api/assignments/${finance.assignmentId}`);
    expect(revoke.status).toBe(409);
    expect(revoke.body.message).toMatch(/birthright rule finance_directory/);

    expect(
      (await flow.requester.request('PATCH', `/api/identities/${login}`, { body: { department: 'Sales' } }))
        .status,
    ).toBe(200);
    const removed = await waitForOrder(finance.assignmentId, 'Deleted', 'Executed');
    expect(removed.workflowState).toBe('Revoked');
    expect(await entry(login)).toBeUndefined(); // its only group: the entry goes
  });

  it('two identities cannot share a login: 409 naming the holder, on registration and on a change', async () => {
    const login = unique('dup');
    expect((await register(login)).status).toBe(201);
    const second = await flow.admin.post('/api/identities', {
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
    const taken = await flow.requester.request('PATCH', `/api/identities/${other}`, { body: { login } });
    expect(taken.status).toBe(409);
    expect(taken.body.message).toContain(`held by identity ${login}`);
    expect((await flow.requester.get(`/api/identities/${other}`)).body.login).toBe(other);
  });

  it('a duplicate request answers 200 with the existing assignment; other dates answer 409', async () => {
    const login = unique('twice');
    expect((await register(login)).status).toBe(201);
    const first = await flow.request(login, 'hr_app_reader');
    const repeat = await flow.requester.post('/api/assignments', {
      body: { identityId: login, entitlementId: 'hr_app_reader' },
    });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual({ assignmentId: first, created: false });
    const dated = await flow.requester.post('/api/assignments', {
      body: { identityId: login, entitlementId: 'hr_app_reader', endsAt: '2099-01-01T00:00:00.000Z' },
    });
    expect(dated.status).toBe(409);
    expect(dated.body.message).toMatch(/other dates/);
    expect((await permissions(login)).filter((p) => p.entitlementId === 'hr_app_reader')).toHaveLength(1);
  });
});
