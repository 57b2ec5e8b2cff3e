import { Client } from 'pg';
import { waitFor } from '@prov/testing';
import type { SystemUnderTest } from './flow-helpers';

/**
 * Orders that do not simply execute: manual fulfilment (one by one and by CSV), an order the
 * connector rejects, a rule that throws, and a revocation. Registered by
 * provisioning-flows.e2e.spec.ts, inside its describe and on its system.
 */
export function fulfilmentFlows(bed: SystemUnderTest): void {
  it('manual: 2 Transmitted → operator confirms → Executed; another reports an error → Errored', async () => {
    const { flow } = bed;
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
    const { flow } = bed;
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
    const { system, flow } = bed;
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
    const { flow } = bed;
    const assignmentId = await flow.request(await flow.identity('broken'), 'hr_app_broken');
    const failed = await flow.waitForState(assignmentId, 'Error');
    expect(failed.provisioningStateCode).toBe(7);
    expect(failed.currentOrder.lastError).toMatch(/role model bug/);
  });

  it('revoke: a Deleted order is executed, and verified by the complete job', async () => {
    const { system, flow } = bed;
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
}
