import { Client } from 'pg';
import { startSystem, waitFor } from '@prov/testing';
import { Flow, type SystemUnderTest } from './flow-helpers';
import { apiAnswers } from './provisioning-api-test-cases';
import { fulfilmentFlows } from './provisioning-fulfilment-test-cases';

jest.setTimeout(180_000);

/**
 * The seed flows of provisioning (docs/architecture.md §2) through the whole system: gateway, requests,
 * review, orders, agent and projector as separate processes, real NATS with JetStream, real
 * PostgreSQL for the event store, the read models and the managed HR application.
 *
 * They share one system (a start is dear on the CI machine): the automated and review flows are
 * here, manual fulfilment, failures and revocation in provisioning-fulfilment-test-cases.ts and the
 * API's refusals and batches in provisioning-api-test-cases.ts, registered by this describe in the
 * order they run.
 */
describe('provisioning flows, end to end', () => {
  const bed = {} as SystemUnderTest;

  beforeAll(async () => {
    bed.system = await startSystem();
    bed.flow = new Flow(bed.system);
  });

  afterAll(async () => {
    await bed.system?.stop();
  });

  it('automated: Pending → Executed, then the complete job verifies it, never Transmitted', async () => {
    const { system, flow } = bed;
    const identity = await flow.identity('auto');
    const assignmentId = await flow.request(identity, 'hr_app_reader');
    await flow.waitForState(assignmentId, 'Executed');
    await flow.completeJob();
    const verified = await flow.waitForState(assignmentId, 'Verified');
    expect(verified).toMatchObject({
      provisioningStateCode: 4,
      workflowState: 'Requested',
      currentOrder: { changeType: 'Added', attempt: 1 },
    });
    const history = await flow.history(assignmentId);
    expect(history.map((e) => e.type)).toEqual([
      'AssignmentRequested',
      'ProvisioningOrderGenerated',
      'ProvisioningOrderExecuted',
      'ProvisioningOrderVerified',
    ]);
    expect(history[1].data.provisioningStateCode).toBe(1);
    expect(
      history.every(
        (e) => typeof e.metadata.correlationId === 'string' && typeof e.metadata.actor === 'string',
      ),
    ).toBe(true);
    const hr = new Client({ connectionString: system.hrAppDatabaseUrl });
    await hr.connect();
    const rows = await hr.query('SELECT group_name FROM hr_app.group_memberships WHERE account_key = $1', [
      identity,
    ]);
    await hr.end();
    expect(rows.rows).toEqual([{ group_name: 'readers' }]);
    const permissions = await flow.requester.get(`/api/identities/${identity}/permissions`);
    expect(permissions.body).toEqual([
      expect.objectContaining({ assignmentId, provisioningState: 'Verified' }),
    ]);
  });

  it('sensitive: 5 AwaitingApproval → approve → Executed', async () => {
    const { flow } = bed;
    const assignmentId = await flow.request(await flow.identity('sensitive'), 'hr_app_admin');
    const waiting = await flow.waitForState(assignmentId, 'AwaitingApproval');
    const queue = await flow.reviewer.get('/api/review/orders?entitlementId=hr_app_admin');
    expect(queue.body.map((o: { orderId: string }) => o.orderId)).toContain(waiting.currentOrder.orderId);
    const approved = await flow.reviewer.post(`/api/review/orders/${waiting.currentOrder.orderId}/approve`, {
      body: { comment: 'ok' },
    });
    expect(approved.status).toBe(200);
    await flow.waitForState(assignmentId, 'Executed');
    expect(await flow.historyTypes(assignmentId)).toEqual([
      'AssignmentRequested',
      'ProvisioningOrderGenerated',
      'ProvisioningOrderApproved',
      'ProvisioningOrderExecuted',
    ]);
  });

  it('decline: 0 None with workflow state Declined, and nothing is written', async () => {
    const { flow } = bed;
    const identity = await flow.identity('declined');
    const assignmentId = await flow.request(identity, 'hr_app_admin');
    const waiting = await flow.waitForState(assignmentId, 'AwaitingApproval');
    const declined = await flow.reviewer.post(`/api/review/orders/${waiting.currentOrder.orderId}/decline`, {
      body: { comment: 'no' },
    });
    expect(declined.body).toMatchObject({ provisioningState: 'None', provisioningStateCode: 0 });
    const assignment = await waitFor(() => flow.assignment(assignmentId), {
      until: (a) => a.workflowState === 'Declined',
    });
    expect(assignment).toMatchObject({ provisioningStateCode: 0, workflowState: 'Declined' });
  });

  it('postpone: stays 5 AwaitingApproval with the postponement recorded', async () => {
    const { flow } = bed;
    const assignmentId = await flow.request(await flow.identity('postponed'), 'hr_app_admin');
    const waiting = await flow.waitForState(assignmentId, 'AwaitingApproval');
    const postponed = await flow.reviewer.post(
      `/api/review/orders/${waiting.currentOrder.orderId}/postpone`,
      {
        body: { comment: 'ask the manager first' },
      },
    );
    expect(postponed.body).toMatchObject({ provisioningStateCode: 5 });
    await waitFor(() => flow.historyTypes(assignmentId), {
      until: (types) => types.includes('ProvisioningOrderPostponed'),
    });
    expect((await flow.assignment(assignmentId)).provisioningState).toBe('AwaitingApproval');
  });

  fulfilmentFlows(bed);
  apiAnswers(bed);
});
