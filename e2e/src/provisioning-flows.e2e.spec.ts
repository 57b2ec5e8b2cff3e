import { Client } from 'pg';
import { type RunningSystem, startSystem, waitFor } from '@prov/testing';
import { Flow } from './flow-helpers';

jest.setTimeout(180_000);

/**
 * The seed flows of provisioning (docs/architecture.md §2) through the whole system: gateway, requests,
 * review, orders, agent and projector as separate processes, real NATS with JetStream, real
 * PostgreSQL for the event store, the read models and the managed HR application.
 */
describe('provisioning flows, end to end', () => {
  let system: RunningSystem;
  let flow: Flow;

  beforeAll(async () => {
    system = await startSystem();
    flow = new Flow(system);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('automated: Pending → Executed, then the complete job verifies it, never Transmitted', async () => {
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

  it('manual: 2 Transmitted → operator confirms → Executed; another reports an error → Errored', async () => {
    const confirmed = await flow.request(await flow.identity('manual'), 'building_badge');
    const errored = await flow.request(await flow.identity('manual'), 'building_badge');
    const first = await flow.waitForState(confirmed, 'Transmitted');
    const second = await flow.waitForState(errored, 'Transmitted');
    const queue = (await flow.operator.get('/api/manual/orders')).body.map(
      (o: { orderId: string }) => o.orderId,
    );
    expect(queue).toEqual(expect.arrayContaining([first.currentOrder.orderId, second.currentOrder.orderId]));
    expect(
      (await flow.operator.post(`/api/manual/orders/${first.currentOrder.orderId}/confirm`, { body: {} }))
        .status,
    ).toBe(200);
    const reported = await flow.operator.post(
      `/api/manual/orders/${second.currentOrder.orderId}/report-error`,
      {
        body: { error: 'badge printer broken' },
      },
    );
    expect(reported.status).toBe(200);
    await flow.waitForState(confirmed, 'Executed');
    const failed = await flow.waitForState(errored, 'Errored');
    expect(failed.currentOrder.lastError).toBe('badge printer broken');
    expect(await flow.historyTypes(confirmed)).toEqual([
      'AssignmentRequested',
      'ProvisioningOrderGenerated',
      'ProvisioningOrderTransmitted',
      'ProvisioningOrderExecuted',
    ]);
  });

  it('manual in bulk: CSV export of transmitted orders, CSV import of the results, all or nothing', async () => {
    const done = await flow.request(await flow.identity('csv'), 'building_badge');
    const failed = await flow.request(await flow.identity('csv'), 'building_badge');
    const [doneId, failedId] = await Promise.all(
      [done, failed].map(
        async (id) => (await flow.waitForState(id, 'Transmitted')).currentOrder.orderId as string,
      ),
    );
    const exported = await flow.operator.get('/api/manual/orders.csv?connectionId=badge_office', {
      headers: { accept: 'text/csv' },
    });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (exported.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'orderId,assignmentId,identityId,entitlementId,connectionId,changeType,accountKey,group,attributes,transmittedAt',
    );
    expect(lines.find((l) => l.startsWith(`${doneId},${done},`))).toMatch(
      /,badge_office,Added,csv\.[^,]+,,"\{""holder"":""Test csv""/,
    );
    expect((await flow.operator.get('/api/manual/orders.csv')).status).toBe(400);
    expect((await flow.requester.get('/api/manual/orders.csv?connectionId=badge_office')).status).toBe(403);

    const csv = (rows: string[]) => ['orderId,result,error,comment', ...rows].join('\n');
    const bad = await flow.operator.post('/api/manual/orders/import', {
      body: csv([`${doneId},confirm,,`, `${failedId},maybe,,`, 'no-such-order,confirm,,']),
      headers: { 'content-type': 'text/csv' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([
      { line: 3, message: 'result must be confirm or error' },
      { line: 4, message: 'order no-such-order does not exist' },
    ]);
    expect((await flow.assignment(done)).provisioningState).toBe('Transmitted'); // nothing applied

    const imported = await flow.operator.post('/api/manual/orders/import', {
      body: {
        csv: csv([
          `${doneId},confirm,,"badge handed over, signed"`,
          `${failedId},error,"photo missing, ask HR",`,
        ]),
      },
    });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({
      applied: 2,
      failed: 0,
      lines: [
        { line: 2, orderId: doneId, result: 'confirm', status: 200, provisioningState: 'Executed' },
        { line: 3, orderId: failedId, result: 'error', status: 200, provisioningState: 'Errored' },
      ],
    });
    await flow.waitForState(done, 'Executed');
    expect((await flow.waitForState(failed, 'Errored')).currentOrder.lastError).toBe('photo missing, ask HR');
    const again = await flow.operator.post('/api/manual/orders/import', {
      body: { csv: csv([`${doneId},confirm,,`]) },
    });
    expect(again.body.details).toEqual([
      { line: 2, message: `order ${doneId} is 8 Executed, not 2 Transmitted` },
    ]);
  });

  it('an order the connector rejects → 3 Errored → retry → Executed', async () => {
    const hr = new Client({ connectionString: system.hrAppDatabaseUrl });
    await hr.connect();
    try {
      // The connector made its tables in the first flow; a constraint makes the target refuse this department.
      await hr.query(
        `ALTER TABLE hr_app.accounts ADD CONSTRAINT no_quarantine CHECK (attributes->>'department' <> 'Quarantine')`,
      );
      const assignmentId = await flow.request(
        await flow.identity('rejected', { department: 'Quarantine' }),
        'hr_app_reader',
      );
      const failed = await flow.waitForState(assignmentId, 'Errored');
      expect(failed.currentOrder.lastError).toMatch(/no_quarantine/);
      await hr.query('ALTER TABLE hr_app.accounts DROP CONSTRAINT no_quarantine');
      const retried = await flow.reviewer.post(`/api/review/orders/${failed.currentOrder.orderId}/retry`, {
        body: { comment: 'fixed' },
      });
      expect(retried.body).toMatchObject({ provisioningState: 'Pending' });
      const executed = await flow.waitForState(assignmentId, 'Executed');
      expect(executed.currentOrder.attempt).toBe(2);
    } finally {
      await hr.end();
    }
  });

  it('a rule that throws gives 7 Error with the message', async () => {
    const assignmentId = await flow.request(await flow.identity('broken'), 'hr_app_broken');
    const failed = await flow.waitForState(assignmentId, 'Error');
    expect(failed.provisioningStateCode).toBe(7);
    expect(failed.currentOrder.lastError).toMatch(/role model bug/);
  });

  it('revoke: a Deleted order is executed, and verified by the complete job', async () => {
    const identity = await flow.identity('revoked');
    const assignmentId = await flow.request(identity, 'hr_app_reader');
    await flow.waitForState(assignmentId, 'Executed');
    expect((await flow.requester.delete(`/api/assignments/${assignmentId}`)).status).toBe(202);
    const deleted = await waitFor(() => flow.assignment(assignmentId), {
      until: (a) => a.currentOrder?.changeType === 'Deleted' && a.provisioningState === 'Executed',
      timeoutMs: 20_000,
      description: 'the Deleted order to be executed',
    });
    expect(deleted.workflowState).toBe('Revoked');
    await flow.completeJob();
    await flow.waitForState(assignmentId, 'Verified');
    const hr = new Client({ connectionString: system.hrAppDatabaseUrl });
    await hr.connect();
    const rows = await hr.query('SELECT * FROM hr_app.group_memberships WHERE account_key = $1', [identity]);
    await hr.end();
    expect(rows.rows).toEqual([]);
  });

  it('20 concurrent approvals of one order: exactly one succeeds, the others get 409', async () => {
    const assignmentId = await flow.request(await flow.identity('race'), 'hr_app_admin');
    const waiting = await flow.waitForState(assignmentId, 'AwaitingApproval');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        flow.reviewer.post(`/api/review/orders/${waiting.currentOrder.orderId}/approve`, { body: {} }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(answers.find((a) => a.status === 409)?.body.message).toMatch(
      /ApproveProvisioningOrder.*state 1 Pending|state 8 Executed/,
    );
    await flow.waitForState(assignmentId, 'Executed');
    expect(
      (await flow.historyTypes(assignmentId)).filter((t) => t === 'ProvisioningOrderApproved'),
    ).toHaveLength(1);
  });

  it('approving an executed order is a 409 that names the state', async () => {
    const assignmentId = await flow.request(await flow.identity('late'), 'hr_app_reader');
    const executed = await flow.waitForState(assignmentId, 'Executed');
    const answer = await flow.reviewer.post(`/api/review/orders/${executed.currentOrder.orderId}/approve`, {
      body: {},
    });
    expect(answer.status).toBe(409);
    expect(answer.body.message).toContain('8 Executed');
  });

  it('invalid input is a 400 naming the fields; unknown ids are 404', async () => {
    const answer = await flow.requester.post('/api/assignments', {
      body: { identityId: '', entitlementId: 42, startsAt: 'tomorrow', color: 'blue' },
    });
    expect(answer.status).toBe(400);
    const fields = answer.body.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['identityId', 'entitlementId', 'startsAt', 'color']));
    expect(
      (
        await flow.requester.post('/api/assignments', {
          body: { identityId: 'nobody', entitlementId: 'hr_app_reader' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await flow.requester.post('/api/assignments', {
          body: { identityId: await flow.identity('x'), entitlementId: 'nope' },
        })
      ).status,
    ).toBe(404);
    expect((await flow.requester.get('/api/assignments/7d9f8a52-1111-4222-8333-944455556666')).status).toBe(
      404,
    );
  });

  it('bulk: identities and assignments in batches, one result per item, every created one Executed', async () => {
    const tag = Date.now().toString(36);
    const people = Array.from({ length: 40 }, (_, i) => ({
      id: `bulk.${tag}.${i}`,
      login: `bulk.${tag}.${i}`,
      firstName: 'Bulk',
      lastName: `Person${i}`,
      email: `bulk.${tag}.${i}@example.test`,
    }));
    const registered = await flow.requester.post('/api/identities/batch', {
      body: { items: [...people, { ...people[0], id: 'bad id!' }] },
    });
    expect(registered.status).toBe(200);
    expect(registered.body).toMatchObject({ created: 40, existing: 0, errors: 1 });
    expect(registered.body.results[40]).toMatchObject({
      index: 40,
      result: 'error',
      error: { status: 400, details: [expect.objectContaining({ field: 'items[40].id', rule: 'matches' })] },
    });
    // Sent again: every one is there already.
    expect(
      (await flow.requester.post('/api/identities/batch', { body: { items: people } })).body,
    ).toMatchObject({ created: 0, existing: 40, errors: 0 });

    const requests = people.map((p) => ({ identityId: p.id, entitlementId: 'hr_app_reader' }));
    const answer = await flow.requester.post('/api/assignments/batch', {
      body: {
        items: [
          ...requests,
          { identityId: people[0].id },
          { identityId: people[1].id, entitlementId: 'nope' },
          7,
        ],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ created: 40, existing: 0, errors: 3 });
    expect(answer.body.results.slice(40)).toEqual([
      expect.objectContaining({
        index: 40,
        result: 'error',
        error: expect.objectContaining({
          status: 400,
          details: expect.arrayContaining([
            expect.objectContaining({ field: 'items[40].entitlementId', rule: 'isString' }),
          ]),
        }),
      }),
      expect.objectContaining({
        index: 41,
        result: 'error',
        error: expect.objectContaining({ status: 404 }),
      }),
      expect.objectContaining({
        index: 42,
        result: 'error',
        error: expect.objectContaining({
          status: 400,
          details: [expect.objectContaining({ field: 'items[42]', rule: 'isObject' })],
        }),
      }),
    ]);
    const again = await flow.requester.post('/api/assignments/batch', {
      body: { items: requests.slice(0, 5) },
    });
    expect(again.body.results.map((r: { result: string; id: string }) => [r.result, r.id])).toEqual(
      answer.body.results.slice(0, 5).map((r: { id: string }) => ['existing', r.id]),
    );
    const ids = new Set(answer.body.results.slice(0, 40).map((r: { id: string }) => r.id));
    await waitFor(
      () =>
        flow.requester.get(
          '/api/assignments?entitlementId=hr_app_reader&provisioningState=Executed&limit=1000',
        ),
      {
        until: (r) => r.body.filter((a: { assignmentId: string }) => ids.has(a.assignmentId)).length === 40,
        timeoutMs: 60_000,
        description: 'the 40 bulk assignments Executed',
      },
    );

    const tooMany = await flow.requester.post('/api/assignments/batch', {
      body: { items: Array.from({ length: 1001 }, () => ({})) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.details).toEqual([expect.objectContaining({ field: 'items', rule: 'arrayMaxSize' })]);
    expect((await flow.reviewer.post('/api/assignments/batch', { body: { items: requests } })).status).toBe(
      403,
    );
  });

  it('a requester may not approve (403); no token is a 401; health needs no token', async () => {
    const assignmentId = await flow.request(await flow.identity('roles'), 'hr_app_admin');
    const waiting = await flow.waitForState(assignmentId, 'AwaitingApproval');
    const answer = await flow.requester.post(`/api/review/orders/${waiting.currentOrder.orderId}/approve`, {
      body: {},
    });
    expect(answer.status).toBe(403);
    expect((await system.api.get('/api/review/orders')).status).toBe(401);
    expect((await system.api.get('/api/health')).body).toMatchObject({ status: 'ok' });
    expect((await flow.requester.get('/api/entitlements')).body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'hr_app_admin',
          fulfillment: 'automatic',
          requiresProvisioningReview: true,
        }),
      ]),
    );
  });
});
