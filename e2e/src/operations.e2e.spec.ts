import { Client } from 'pg';
import { type RunningSystem, startSystem, waitFor } from '@prov/testing';
import { Flow } from './flow-helpers';
import { rewriteRoleModel, writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(180_000);

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

/** What operations teams rely on once the flow runs: timers, retries, the complete job, replay. */
describe('operations, end to end', () => {
  let system: RunningSystem;
  let flow: Flow;
  let roleModel: string;
  let hr: Client;

  beforeAll(async () => {
    roleModel = writeFastRoleModel();
    system = await startSystem({ roleModel, env: { TIMER_INTERVAL_MS: '300' } });
    flow = new Flow(system);
    // The first order makes the connector create its tables.
    await flow.waitForState(await flow.request(await flow.identity('warmup'), 'hr_app_reader'), 'Executed');
    hr = new Client({ connectionString: system.hrAppDatabaseUrl });
    await hr.connect();
  });

  afterAll(async () => {
    await hr?.end();
    await system?.stop();
  });

  it('an end date that passes before fulfilment turns the order 6 Inactive', async () => {
    const assignmentId = await flow.request(await flow.identity('ending'), 'hr_app_admin', {
      endsAt: inSeconds(2),
    });
    await flow.waitForState(assignmentId, 'AwaitingApproval');
    const inactive = await flow.waitForState(assignmentId, 'Inactive');
    expect(inactive.provisioningStateCode).toBe(6);
    const history = await flow.history(assignmentId);
    expect(history.at(-1)).toMatchObject({
      type: 'ProvisioningOrderDeactivated',
      metadata: { actor: 'timer' },
    });
  });

  it('a request whose end date has already passed is generated Inactive', async () => {
    const assignmentId = await flow.request(await flow.identity('expired'), 'hr_app_reader', {
      startsAt: new Date(Date.now() - 86_400_000).toISOString(),
      endsAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const inactive = await flow.waitForState(assignmentId, 'Inactive');
    expect(await flow.historyTypes(assignmentId)).toEqual([
      'AssignmentRequested',
      'ProvisioningOrderGenerated',
    ]);
    expect(inactive.currentOrder.provisioningStateCode).toBe(6);
  });

  it('an assignment that starts in the future is provisioned when it starts, not before', async () => {
    const identity = await flow.identity('future');
    const startsAt = inSeconds(3);
    const assignmentId = await flow.request(identity, 'hr_app_reader', { startsAt });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Looked at only while the start is well ahead: a machine so busy that the request and the
    // wait took the three seconds would see the order rightly generated. The order's own time,
    // below, shows "not before" in every case.
    if (Date.now() < Date.parse(startsAt) - 500)
      expect(await flow.assignment(assignmentId)).toMatchObject({ currentOrder: null });
    await flow.waitForState(assignmentId, 'Executed');
    const [generated] = (await flow.history(assignmentId)).filter(
      (e) => e.type === 'ProvisioningOrderGenerated',
    );
    expect(Date.parse(generated.data.at as string)).toBeGreaterThanOrEqual(Date.parse(startsAt));
  });

  it('an order left Transmitted past the validity period turns 3 Errored with the reason', async () => {
    const assignmentId = await flow.request(await flow.identity('stale'), 'building_badge');
    await flow.waitForState(assignmentId, 'Transmitted');
    const errored = await flow.waitForState(assignmentId, 'Errored');
    expect(errored.currentOrder.lastError).toMatch(/valid|period/i);
    expect((await flow.history(assignmentId)).at(-1)).toMatchObject({
      type: 'ProvisioningOrderErrored',
      data: { reportedBy: 'timer' },
    });
  });

  it('the retry policy retries an errored order, spaced and bounded; a reviewer can still retry', async () => {
    await hr.query(
      `ALTER TABLE hr_app.accounts ADD CONSTRAINT no_lab CHECK (attributes->>'department' <> 'Lab')`,
    );
    try {
      const assignmentId = await flow.request(
        await flow.identity('retried', { department: 'Lab' }),
        'hr_app_reader',
      );
      // maxAttempts 3: the first attempt and two automatic retries, one second apart, then it stays Errored.
      await waitFor(() => flow.assignment(assignmentId), {
        until: (a) => a.currentOrder?.attempt === 3 && a.provisioningState === 'Errored',
        timeoutMs: 20_000,
        description: 'the third attempt to fail',
      });
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const history = await flow.history(assignmentId);
      const retries = history.filter((e) => e.type === 'ProvisioningOrderRetried');
      expect(retries).toHaveLength(2);
      expect(retries.every((e) => e.data.automatic === true && e.metadata.actor === 'timer')).toBe(true);
      const errors = history
        .filter((e) => e.type === 'ProvisioningOrderErrored')
        .map((e) => new Date(e.data.at as string).getTime());
      const retryTimes = retries.map((e) => new Date(e.data.at as string).getTime());
      expect(retryTimes[0] - errors[0]).toBeGreaterThanOrEqual(900);
      await hr.query('ALTER TABLE hr_app.accounts DROP CONSTRAINT no_lab');
      const orderId = (await flow.assignment(assignmentId)).currentOrder.orderId;
      expect((await flow.reviewer.post(`/api/review/orders/${orderId}/retry`, { body: {} })).status).toBe(
        200,
      );
      expect((await flow.waitForState(assignmentId, 'Executed')).currentOrder.attempt).toBe(4);
    } finally {
      await hr.query('ALTER TABLE hr_app.accounts DROP CONSTRAINT IF EXISTS no_lab');
    }
  });

  it('only one complete job runs at a time: a second start gets 409 with the running job id', async () => {
    const [a, b] = await Promise.all([
      flow.operator.post('/api/jobs/complete'),
      flow.operator.post('/api/jobs/complete'),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([202, 409]);
    const started = a.status === 202 ? a : b;
    const refused = a.status === 409 ? a : b;
    expect(refused.body.details.runningJobId).toBe(started.body.jobId);
    const job = await waitFor(() => flow.operator.get(`/api/jobs/${started.body.jobId}`), {
      until: (r) => r.status === 200 && r.body.status === 'Completed',
      timeoutMs: 30_000,
    });
    expect(job.body.tasks.map((t: { name: string; status: string }) => [t.name, t.status])).toEqual([
      ['evaluate-role-model', 'Completed'],
      ['fulfil', 'Completed'],
      ['synchronize', 'Completed'],
      ['verify', 'Completed'],
      ['report-drift', 'Completed'],
    ]);
  });

  it('a changed role model gives Modified orders on the next complete job, and supersedes the stale ones', async () => {
    const identity = await flow.identity('remodel');
    const assignmentId = await flow.request(identity, 'hr_app_reader');
    const before = await flow.waitForState(assignmentId, 'Executed');
    // An order still waiting for review was computed with the old model: it must be replaced.
    const waitingId = await flow.request(await flow.identity('remodel-waiting'), 'hr_app_admin');
    const waiting = await flow.waitForState(waitingId, 'AwaitingApproval');
    const reloads = () => system.logs('orders').split('role model reloaded').length;
    const reloadedBefore = reloads();
    rewriteRoleModel(roleModel, (yaml) =>
      yaml.replace('displayName: trim(concat(firstName, " ", lastName))', 'displayName: upper(lastName)'),
    );
    // `orders` looks at the file every 2 s; the job must run on the new model, however busy the machine.
    await waitFor(async () => reloads(), {
      until: (n) => n > reloadedBefore,
      timeoutMs: 30_000,
      description: 'orders to reload the changed role model',
    });
    await flow.completeJob();
    const modified = await waitFor(() => flow.assignment(assignmentId), {
      until: (a) =>
        a.currentOrder?.changeType === 'Modified' && ['Executed', 'Verified'].includes(a.provisioningState),
      timeoutMs: 20_000,
      description: 'a Modified order to be executed',
    });
    expect(modified.currentOrder.orderId).not.toBe(before.currentOrder.orderId);
    const generated = (await flow.history(assignmentId)).filter(
      (e) => e.type === 'ProvisioningOrderGenerated',
    );
    expect(generated.map((e) => e.data.changeType)).toEqual(['Added', 'Modified']);
    const replaced = await waitFor(() => flow.history(waitingId), {
      until: (events) => events.some((e) => e.type === 'ProvisioningOrderSuperseded'),
      description: 'the waiting order to be superseded',
    });
    const superseded = replaced.find((e) => e.type === 'ProvisioningOrderSuperseded')!;
    expect(superseded.data).toMatchObject({
      orderId: waiting.currentOrder.orderId,
      reason: 'RoleModelChanged',
    });
    const replacement = await flow.waitForState(waitingId, 'AwaitingApproval');
    expect(replacement.currentOrder.orderId).not.toBe(waiting.currentOrder.orderId);
    const row = await hr.query(
      "SELECT attributes->>'displayName' AS name FROM hr_app.accounts WHERE account_key = $1",
      [identity],
    );
    expect(row.rows[0].name).toBe('REMODEL');
  });

  it('audit replay rebuilds every read model while the system runs, equal row for row', async () => {
    const tables = [
      'identities',
      'assignments',
      'orders',
      'history',
      'jobs',
      'synchronizations',
      'non_conforming',
    ];
    const pg = new Client({ connectionString: system.databaseUrl });
    await pg.connect();
    try {
      const snapshot = async () => {
        const rows: Record<string, unknown[]> = {};
        for (const table of tables)
          rows[table] = (await pg.query(`SELECT * FROM rm.${table} ORDER BY 1, 2`)).rows;
        return rows;
      };
      // Quiet first: no timer or reaction may change a row between the two snapshots.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const before = await snapshot();
      const started = await flow.admin.post('/api/admin/replay');
      expect(started.status).toBe(202);
      const status = await waitFor(() => flow.admin.get('/api/admin/replay'), {
        until: (r) =>
          r.status === 200 && r.body.replayId === started.body.replayId && r.body.status !== 'Running',
        timeoutMs: 60_000,
        description: 'the replay to finish',
      });
      expect(status.body).toMatchObject({ status: 'Completed', phase: 'done' });
      expect(status.body.eventsHandled).toBeGreaterThan(10);
      const after = await snapshot();
      for (const table of tables)
        expect({ table, rows: after[table] }).toEqual({ table, rows: before[table] });
      // And the system keeps working on the swapped read models.
      await flow.waitForState(
        await flow.request(await flow.identity('after-replay'), 'hr_app_reader'),
        'Executed',
      );
    } finally {
      await pg.end();
    }
  });

  it("answers an assignment's state as of an instant, folded from its stream", async () => {
    const assignmentId = await flow.request(await flow.identity('asof'), 'hr_app_admin');
    const waiting = await flow.waitForState(assignmentId, 'AwaitingApproval');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await flow.reviewer.post(`/api/review/orders/${waiting.currentOrder.orderId}/approve`, { body: {} });
    await flow.waitForState(assignmentId, 'Executed');
    const past = await flow.requester.get(
      `/api/assignments/${assignmentId}?asOf=${encodeURIComponent(between)}`,
    );
    expect(past.body).toMatchObject({ provisioningState: 'AwaitingApproval', provisioningStateCode: 5 });
    const now = await flow.requester.get(
      `/api/assignments/${assignmentId}?asOf=${encodeURIComponent(new Date().toISOString())}`,
    );
    expect(now.body.provisioningState).toBe('Executed');
    const before = await flow.requester.get(`/api/assignments/${assignmentId}?asOf=2000-01-01T00:00:00Z`);
    expect(before.status).toBe(404);
    expect((await flow.requester.get(`/api/assignments/${assignmentId}?asOf=yesterday`)).status).toBe(400);
  });

  it('serves the event log itself, filtered by stream and type, page by page', async () => {
    const assignmentId = await flow.request(await flow.identity('audited'), 'hr_app_admin');
    const waiting = await flow.waitForState(assignmentId, 'AwaitingApproval');
    await flow.reviewer.post(`/api/review/orders/${waiting.currentOrder.orderId}/approve`, {
      body: { comment: 'audit me' },
    });
    await flow.waitForState(assignmentId, 'Executed');
    const own = await flow.reviewer.get(`/api/audit/events?stream=assignment-${assignmentId}`);
    expect(own.status).toBe(200);
    expect(own.body.events.map((e: { type: string }) => e.type)).toEqual([
      'AssignmentRequested',
      'ProvisioningOrderGenerated',
      'ProvisioningOrderApproved',
      'ProvisioningOrderExecuted',
    ]);
    const approvals = await flow.operator.get('/api/audit/events?type=ProvisioningOrderApproved&limit=1000');
    expect(approvals.body.events.every((e: { type: string }) => e.type === 'ProvisioningOrderApproved')).toBe(
      true,
    );
    expect(
      approvals.body.events.some(
        (e: { streamName: string }) => e.streamName === `assignment-${assignmentId}`,
      ),
    ).toBe(true);
    // Paging: two events at a time, resuming from `next`, gives the same log in the same order.
    const first = await flow.reviewer.get(`/api/audit/events?stream=assignment-${assignmentId}&limit=2`);
    const second = await flow.reviewer.get(
      `/api/audit/events?stream=assignment-${assignmentId}&limit=2&after=${first.body.next}`,
    );
    expect(
      [...first.body.events, ...second.body.events].map((e: { position: string }) => e.position),
    ).toEqual(own.body.events.map((e: { position: string }) => e.position));
    expect((await flow.reviewer.get('/api/audit/events?after=12')).status).toBe(400);
    expect((await flow.requester.get('/api/audit/events')).status).toBe(403);
  });
});
