import { randomUUID } from 'node:crypto';
import { identityStreamName } from '@prov/domain';
import { PostgresEventStore } from '@prov/event-store';
import { OrderPublisher } from '@prov/messaging';
import { type RunningSlapd, type RunningSystem, startSlapd, startSystem, waitFor } from '@prov/testing';
import { connectAs } from './bus-client';
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
  let store: PostgresEventStore;
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
    store = await PostgresEventStore.connect(system.databaseUrl);
  });

  afterAll(async () => {
    await store?.close();
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

  /**
   * Writes a holding event straight into the identity's stream: what a lost write, or data from
   * before holdings existed, leaves behind, and that no identity event or model change revisits.
   */
  async function writeHolding(identityId: string, type: string, data: Record<string, unknown>) {
    await store.appendToStream(identityStreamName(identityId), [
      {
        id: randomUUID(),
        type,
        data: { identityId, ...data, at: new Date().toISOString(), by: 'test' },
        metadata: { actor: 'test' },
      },
    ]);
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

  it('an order older than one the agent applied to the same assignment is not applied: a late Modified cannot undo a Deleted (ADR 0065)', async () => {
    // What the race between the mover's Modified and a revocation's Deleted can produce: the two
    // published the other way round. Sent as the orders service would, with its credentials.
    const login = unique('late');
    const nc = await connectAs(system.natsUrl, system.bus.identities.orders, true);
    try {
      const publisher = new OrderPublisher(nc.jetstream());
      const assignmentId = randomUUID();
      const order = (changeType: string, sequence: number, attributes: Record<string, string>) => ({
        orderId: randomUUID(),
        attempt: 1,
        connectionId: 'corp_ldap',
        assignmentId,
        identityId: login,
        entitlementId: 'ldap_finance',
        resourceTypeId: 'corp_ldap_account',
        changeType,
        changes: { accountKey: login, attributes, group: 'finance' },
        sequence,
      });
      const modified = order('Modified', 0, { departmentNumber: 'Sales' });
      await publisher.publish('corp_ldap', order('Deleted', 1, {}));
      await publisher.publish('corp_ldap', modified);

      await waitFor(async () => system.logs('agent'), {
        until: (logs) =>
          logs
            .split('\n')
            .some((l) => l.includes('superseded order not applied') && l.includes(modified.orderId)),
        timeoutMs: 30_000,
        description: 'the agent to skip the older Modified',
      });
      expect(await entry(login)).toBeUndefined();
    } finally {
      await nc.close();
    }
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
    // The directory read model follows the log (no read-your-writes on this route): wait for the
    // registration to show, then the refused change must not have touched the login.
    const shown = await waitFor(() => flow.requester.get(`/api/identities/${other}`), {
      until: (response) => response.status === 200,
      description: `identity ${other} in the directory`,
    });
    expect(shown.body.login).toBe(other);
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

  it('the complete job settles birthright rules for every identity: grants what is missing, removes what no rule gives', async () => {
    // A Finance identity whose rule hold was lost, and whose finance group was then revoked.
    const fin = unique('jobfin');
    expect((await register(fin, { department: 'Finance' })).status).toBe(201);
    const granted = await waitFor(() => permissions(fin), {
      until: (list) =>
        list.some((p) => p.entitlementId === 'ldap_finance' && p.provisioningState === 'Executed'),
      timeoutMs: 30_000,
      description: 'the birthright rule to grant ldap_finance',
    });
    const lost = granted.find((p) => p.entitlementId === 'ldap_finance')!;
    await writeHolding(fin, 'EntitlementHoldReleased', {
      entitlementId: 'ldap_finance',
      assignmentId: lost.assignmentId,
      holder: 'rule:finance_directory',
    });
    expect((await flow.requester.delete(`/api/assignments/${lost.assignmentId}`)).status).toBeLessThan(300);
    await waitForOrder(lost.assignmentId, 'Deleted', 'Executed');
    expect(await entry(fin)).toBeUndefined();
    // An IT identity whose requested finance group is recorded as held by the finance rule only.
    const staff = unique('jobit');
    expect((await register(staff)).status).toBe(201);
    const requested = await flow.request(staff, 'ldap_finance');
    await flow.waitForState(requested, 'Executed');
    const held = { entitlementId: 'ldap_finance', assignmentId: requested };
    await writeHolding(staff, 'EntitlementHeld', { ...held, holder: 'rule:finance_directory' });
    await writeHolding(staff, 'EntitlementHoldReleased', { ...held, holder: 'request' });

    const job = await flow.completeJob();
    const evaluate = (job.tasks as Array<{ name: string; counts: Record<string, number> }>).find(
      (task) => task.name === 'evaluate-role-model',
    )!;
    expect(evaluate.counts.identities).toBeGreaterThanOrEqual(2);
    expect(evaluate.counts.ruleGranted).toBeGreaterThanOrEqual(1);
    expect(evaluate.counts.ruleRevoked).toBeGreaterThanOrEqual(1);
    // Granted again through a new assignment, fulfilled by the same run.
    const regranted = (await permissions(fin)).find(
      (p) => p.entitlementId === 'ldap_finance' && p.workflowState === 'Requested',
    )!;
    expect(regranted.assignmentId).not.toBe(lost.assignmentId);
    expect(regranted.origin).toEqual(['rule:finance_directory']);
    expect(['Executed', 'Verified']).toContain(regranted.provisioningState);
    expect(values(await entry(fin), 'memberOf')).toEqual([`cn=finance,${slapd.groupsDn}`]);
    // Removed: no rule gives it and no request holds it; the Deleted order ran in the same run.
    const removed = await flow.assignment(requested);
    expect(removed).toMatchObject({ workflowState: 'Revoked', currentOrder: { changeType: 'Deleted' } });
    expect(['Executed', 'Verified']).toContain(removed.provisioningState);
    expect(await entry(staff)).toBeUndefined();
  });

  it("a mover onto the login of a departed identity whose account's removal is not verified gets 7 Error naming both", async () => {
    const gone = unique('gone');
    expect((await register(gone)).status).toBe(201);
    const goneAssignment = await flow.request(gone, 'ldap_staff');
    await flow.waitForState(goneAssignment, 'Executed');
    expect((await flow.requester.post(`/api/identities/${gone}/deactivate`, { body: {} })).status).toBe(200);
    // Executed, not yet verified: the account may still be there, so the key is still the leaver's.
    await waitForOrder(goneAssignment, 'Deleted', 'Executed');
    const mover = unique('mov');
    expect((await register(mover)).status).toBe(201);
    const moverAssignment = await flow.request(mover, 'ldap_staff');
    await flow.waitForState(moverAssignment, 'Executed');

    const moved = await flow.requester.request('PATCH', `/api/identities/${mover}`, {
      body: { login: gone },
    });
    expect(moved.status).toBe(200); // the login itself is free: its holder left
    const failed = await flow.waitForState(moverAssignment, 'Error');
    expect(failed.currentOrder.lastError).toBe(
      `account key '${gone}' on connection corp_ldap is already the account of identity ${gone}; ` +
        `identity ${mover} computes the same key (one owner per account)`,
    );
    expect(await entry(mover)).toMatchObject({ uid: mover }); // nothing renamed onto the leaver's key
  });

  it('an assignment missing from the identity holdings (made before they existed) is backfilled at start: the mover modifies it, the leaver revokes it', async () => {
    const login = unique('legacy');
    expect((await register(login)).status).toBe(201);
    const assignmentId = await flow.request(login, 'ldap_staff');
    await flow.waitForState(assignmentId, 'Executed');
    await writeHolding(login, 'EntitlementReleased', { entitlementId: 'ldap_staff', assignmentId });

    await system.restart('requests');
    await waitFor(() => store.readStream(identityStreamName(login)), {
      until: (events) => events.at(-1)?.type === 'EntitlementHeld',
      timeoutMs: 30_000,
      description: 'the backfill to record the holding again',
    });
    expect(
      (await flow.requester.request('PATCH', `/api/identities/${login}`, { body: { lastName: 'Moss' } }))
        .status,
    ).toBe(200);
    await waitForOrder(assignmentId, 'Modified', 'Executed');
    expect(await entry(login)).toMatchObject({ sn: 'Moss' });
    expect((await flow.requester.post(`/api/identities/${login}/deactivate`, { body: {} })).status).toBe(200);
    await waitForOrder(assignmentId, 'Deleted', 'Executed');
    expect(await entry(login)).toBeUndefined();
  });
});
