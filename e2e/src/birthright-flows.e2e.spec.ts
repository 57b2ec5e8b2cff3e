import { randomUUID } from 'node:crypto';
import { identityStreamName } from '@prov/domain';
import { OrderPublisher } from '@prov/messaging';
import { waitFor } from '@prov/testing';
import { connectAs } from './bus-client';
import { values } from './directory-fixture';
import { lifecycleFlows } from './lifecycle-fixture';

jest.setTimeout(300_000);

/**
 * Birthright rules and the identity holdings through the whole system, with the sample's
 * corp_ldap on a real slapd: what a rule grants and takes back, what the complete job settles,
 * what the holdings' backfill restores, and one assignment's orders applied in generation order.
 */
describe('birthright rules and holdings, end to end (LDAP)', () => {
  const { bed, unique, register, entry, permissions, writeHolding, waitForOrder } = lifecycleFlows();

  /** Registers a joiner in Finance and waits for the finance rule's grant to be Executed. */
  async function financeJoiner(login: string) {
    expect((await register(login, { department: 'Finance' })).status).toBe(201);
    return waitFor(() => permissions(login), {
      until: (list) =>
        list.some((p) => p.entitlementId === 'ldap_finance' && p.provisioningState === 'Executed'),
      timeoutMs: 30_000,
      description: 'the birthright rule to grant ldap_finance',
    });
  }

  it('a birthright rule grants the finance group to Finance and removes it when the department changes', async () => {
    const login = unique('fin');
    const granted = await financeJoiner(login);
    const finance = granted.find((p) => p.entitlementId === 'ldap_finance')!;
    expect(finance.origin).toEqual(['rule:finance_directory']);
    expect(values(await entry(login), 'memberOf')).toEqual([`cn=finance,${bed.slapd.groupsDn}`]);

    const revoke = await bed.flow.requester.delete(`/api/assignments/${finance.assignmentId}`);
    expect(revoke.status).toBe(409);
    expect(revoke.body.message).toMatch(/birthright rule finance_directory/);

    expect(
      (
        await bed.flow.requester.request('PATCH', `/api/identities/${login}`, {
          body: { department: 'Sales' },
        })
      ).status,
    ).toBe(200);
    const removed = await waitForOrder(finance.assignmentId, 'Deleted', 'Executed');
    expect(removed.workflowState).toBe('Revoked');
    expect(await entry(login)).toBeUndefined(); // its only group: the entry goes
  });

  it('an order older than one the agent applied to the same assignment is not applied: a late Modified cannot undo a Deleted (ADR 0065)', async () => {
    // What the race between the mover's Modified and a revocation's Deleted can produce: the two
    // published the other way round. Sent as the orders service would, with its credentials.
    const login = unique('late');
    const nc = await connectAs(bed.system.natsUrl, bed.system.bus.identities.orders, true);
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

      await waitFor(async () => bed.system.logs('agent'), {
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

  it('the complete job settles birthright rules for every identity: grants what is missing, removes what no rule gives', async () => {
    // A Finance identity whose rule hold was lost, and whose finance group was then revoked.
    const fin = unique('jobfin');
    const granted = await financeJoiner(fin);
    const lost = granted.find((p) => p.entitlementId === 'ldap_finance')!;
    await writeHolding(fin, 'EntitlementHoldReleased', {
      entitlementId: 'ldap_finance',
      assignmentId: lost.assignmentId,
      holder: 'rule:finance_directory',
    });
    expect((await bed.flow.requester.delete(`/api/assignments/${lost.assignmentId}`)).status).toBeLessThan(
      300,
    );
    await waitForOrder(lost.assignmentId, 'Deleted', 'Executed');
    expect(await entry(fin)).toBeUndefined();
    // An IT identity whose requested finance group is recorded as held by the finance rule only.
    const staff = unique('jobit');
    expect((await register(staff)).status).toBe(201);
    const requested = await bed.flow.request(staff, 'ldap_finance');
    await bed.flow.waitForState(requested, 'Executed');
    const held = { entitlementId: 'ldap_finance', assignmentId: requested };
    await writeHolding(staff, 'EntitlementHeld', { ...held, holder: 'rule:finance_directory' });
    await writeHolding(staff, 'EntitlementHoldReleased', { ...held, holder: 'request' });

    const job = await bed.flow.completeJob();
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
    expect(values(await entry(fin), 'memberOf')).toEqual([`cn=finance,${bed.slapd.groupsDn}`]);
    // Removed: no rule gives it and no request holds it; the Deleted order ran in the same run.
    const removed = await bed.flow.assignment(requested);
    expect(removed).toMatchObject({ workflowState: 'Revoked', currentOrder: { changeType: 'Deleted' } });
    expect(['Executed', 'Verified']).toContain(removed.provisioningState);
    expect(await entry(staff)).toBeUndefined();
  });

  it('an assignment missing from the identity holdings (made before they existed) is backfilled at start: the mover modifies it, the leaver revokes it', async () => {
    const login = unique('legacy');
    expect((await register(login)).status).toBe(201);
    const assignmentId = await bed.flow.request(login, 'ldap_staff');
    await bed.flow.waitForState(assignmentId, 'Executed');
    await writeHolding(login, 'EntitlementReleased', { entitlementId: 'ldap_staff', assignmentId });

    await bed.system.restart('requests');
    await waitFor(() => bed.store.readStream(identityStreamName(login)), {
      until: (events) => events.at(-1)?.type === 'EntitlementHeld',
      timeoutMs: 30_000,
      description: 'the backfill to record the holding again',
    });
    expect(
      (await bed.flow.requester.request('PATCH', `/api/identities/${login}`, { body: { lastName: 'Moss' } }))
        .status,
    ).toBe(200);
    await waitForOrder(assignmentId, 'Modified', 'Executed');
    expect(await entry(login)).toMatchObject({ sn: 'Moss' });
    expect((await bed.flow.requester.post(`/api/identities/${login}/deactivate`, { body: {} })).status).toBe(
      200,
    );
    await waitForOrder(assignmentId, 'Deleted', 'Executed');
    expect(await entry(login)).toBeUndefined();
  });
});
