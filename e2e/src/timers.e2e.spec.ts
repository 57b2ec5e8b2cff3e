import { Client } from 'pg';
import {
  generateBus,
  repositoryRoot,
  type RunningSlapd,
  type RunningSystem,
  spawnService,
  startSlapd,
  startSystem,
  waitFor,
} from '@prov/testing';
import { DirectoryAdmin, SAMPLE_LDAP_BASE_DN } from './directory-fixture';
import { Flow } from './flow-helpers';
import { writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(240_000);

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const HR_VALIDITY_S = 4;
const BADGE_VALIDITY_S = 8;
const MONTHLY = '0 2 1 * *';

/**
 * End dates, validity periods, the complete job, postponements and manual synchronization,
 * through the whole system with the sample's corp_ldap on a real slapd. Periods are short so
 * that the timers fire within the test: HR accounts must be verified within 4 s of a read that
 * missed them, badges confirmed within 8 s.
 */
describe('timers, validity and the complete job, end to end', () => {
  let slapd: RunningSlapd;
  let system: RunningSystem;
  let flow: Flow;
  let ldap: DirectoryAdmin;
  let hr: Client;

  beforeAll(async () => {
    slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN });
    // On top of the fast model's periods (PT1H for HR accounts, PT2S for badges):
    const roleModel = writeFastRoleModel((yaml) =>
      yaml
        .replace('transmittedValidityPeriod: PT1H', `transmittedValidityPeriod: PT${HR_VALIDITY_S}S`)
        .replace('transmittedValidityPeriod: PT2S', `transmittedValidityPeriod: PT${BADGE_VALIDITY_S}S`),
    );
    system = await startSystem({
      roleModel,
      env: { TIMER_INTERVAL_MS: '300', COMPLETE_JOB_SCHEDULE: MONTHLY },
      serviceEnv: { agent: { CORP_LDAP_URL: slapd.url, CORP_LDAP_PASSWORD: slapd.servicePassword } },
    });
    flow = new Flow(system);
    ldap = await DirectoryAdmin.connect(slapd.url, slapd.adminDn, slapd.adminPassword);
    // The first order makes the SQL connector create its tables.
    await flow.waitForState(await flow.request(await flow.identity('warmup'), 'hr_app_reader'), 'Executed');
    hr = new Client({ connectionString: system.hrAppDatabaseUrl });
    await hr.connect();
  });

  afterAll(async () => {
    await hr?.end();
    await ldap?.close();
    await system?.stop();
    await slapd?.stop();
  });

  it('accepts a monthly COMPLETE_JOB_SCHEDULE and plans its next run for the 1st at 02:00 UTC', async () => {
    const line = await waitFor(async () => system.logs('orders'), {
      until: (logs) => logs.includes('complete job scheduled'),
      description: 'the orders service to log its schedule',
    });
    const entry = JSON.parse(line.split('\n').find((l) => l.includes('complete job scheduled'))!);
    const scheduled = entry.message ?? entry; // Nest's JSON logger nests the logged object
    const now = new Date();
    const firstOfNextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1, 2));
    const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1, 2));
    expect(scheduled).toMatchObject({ cron: MONTHLY });
    expect([thisMonth, firstOfNextMonth].filter((d) => d > now)[0].toISOString()).toBe(scheduled.nextRun);
    // Weeks away is beyond one setTimeout: it must not have fired at once (the old overflow).
    const jobs = (await flow.operator.get('/api/jobs')).body as Array<{ trigger: string }>;
    expect(jobs.filter((job) => job.trigger === 'schedule')).toEqual([]);
  });

  it('refuses to start orders with an invalid COMPLETE_JOB_SCHEDULE, naming the variable', async () => {
    const child = spawnService(
      repositoryRoot(),
      'orders',
      {
        ...process.env,
        // Its bus credentials are in order: the schedule is the one thing wrong.
        ...generateBus([]).env('orders'),
        COMPLETE_JOB_SCHEDULE: '0 2 32 * *',
        NATS_URL: 'nats://127.0.0.1:1',
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      },
      ['ignore', 'pipe', 'pipe'],
    );
    let output = '';
    child.stdout?.on('data', (chunk) => (output += String(chunk)));
    child.stderr?.on('data', (chunk) => (output += String(chunk)));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code).not.toBe(0);
    expect(output).toContain('COMPLETE_JOB_SCHEDULE must be a cron expression');
  });

  it('an end date passing after fulfilment removes the entry from slapd with a Deleted order, then Verified', async () => {
    const identity = await flow.identity('leaver');
    const assignmentId = await flow.request(identity, 'ldap_staff', { endsAt: inSeconds(10) });
    const executed = await flow.waitForState(assignmentId, 'Executed');
    expect(executed.currentOrder.changeType).toBe('Added');
    expect(await ldap.find(slapd.peopleDn, `(uid=${identity})`, ['uid'])).toBeDefined();

    const removed = await waitFor(() => flow.assignment(assignmentId), {
      until: (a) => a.currentOrder?.changeType === 'Deleted' && a.provisioningState === 'Executed',
      timeoutMs: 30_000,
      description: 'the Deleted order of the ended assignment to be executed',
    });
    expect(removed.workflowState).toBe('Requested');
    expect(await ldap.find(slapd.peopleDn, `(uid=${identity})`, ['uid'])).toBeUndefined();
    const history = await flow.history(assignmentId);
    expect(history.find((e) => e.type === 'ProvisioningOrderSuperseded')).toMatchObject({
      data: { orderId: executed.currentOrder.orderId, reason: 'AssignmentEnded' },
      metadata: { actor: 'timer' },
    });
    expect(history.filter((e) => e.type === 'ProvisioningOrderGenerated').map((e) => e.data.outcome)).toEqual(
      ['ReadyForProvisioning', 'AssignmentEnded'],
    );

    await flow.completeJob();
    const verified = await flow.waitForState(assignmentId, 'Verified', 5_000);
    expect(verified.currentOrder).toMatchObject({ changeType: 'Deleted', provisioningStateCode: 4 });
    // Nothing expects the entry any more, and nothing of it is left to report.
    const drift = (await flow.requester.get('/api/connections/corp_ldap/non-conforming')).body as Array<{
      accountKey: string;
    }>;
    expect(drift.map((d) => d.accountKey)).not.toContain(identity);
  });

  it('one complete job brings a fresh automatic order to 4 Verified', async () => {
    const assignmentId = await flow.request(await flow.identity('fresh'), 'hr_app_reader');
    await waitFor(() => flow.assignment(assignmentId), {
      until: (a) => a.currentOrder !== null,
      description: 'the order to be generated',
    });
    const job = await flow.completeJob();
    // Verified by the job itself: the read model shows it as soon as the projector catches up.
    await flow.waitForState(assignmentId, 'Verified', 5_000);
    const tasks = job.tasks as Array<{ name: string; counts: Record<string, number>; errors: string[] }>;
    expect(tasks.map((t) => t.name)).toEqual([
      'evaluate-role-model',
      'fulfil',
      'synchronize',
      'verify',
      'report-drift',
    ]);
    expect(tasks.flatMap((t) => t.errors)).toEqual([]);
    expect(tasks.find((t) => t.name === 'verify')!.counts.verified).toBeGreaterThanOrEqual(1);
  });

  it('an Executed order a later synchronization did not see becomes 3 Errored after the validity period', async () => {
    const identity = await flow.identity('unseen');
    const assignmentId = await flow.request(identity, 'hr_app_reader');
    await flow.waitForState(assignmentId, 'Executed');
    await hr.query('DELETE FROM hr_app.accounts WHERE account_key = $1', [identity]); // gone behind our back
    await flow.completeJob();
    const history = await waitFor(() => flow.history(assignmentId), {
      until: (events) => events.some((e) => e.type === 'ProvisioningOrderErrored'),
      timeoutMs: 20_000,
      description: 'the unverified order to expire',
    });
    const errored = history.find((e) => e.type === 'ProvisioningOrderErrored')!;
    expect(errored).toMatchObject({ data: { reportedBy: 'timer' }, metadata: { actor: 'timer' } });
    expect(errored.data.error).toMatch(/transmitted-validity period expired .*8 Executed/);
    const executedAt = Date.parse(
      history.find((e) => e.type === 'ProvisioningOrderExecuted')!.data.at as string,
    );
    expect(Date.parse(errored.data.at as string) - executedAt).toBeGreaterThanOrEqual(HR_VALIDITY_S * 1000);
  });

  it('an operator-confirmed badge stays Executed until a manual CSV synchronization verifies it', async () => {
    const identity = await flow.identity('badge');
    const assignmentId = await flow.request(identity, 'building_badge');
    const transmitted = await flow.waitForState(assignmentId, 'Transmitted');
    const orderId = transmitted.currentOrder.orderId as string;
    expect((await flow.operator.post(`/api/manual/orders/${orderId}/confirm`, { body: {} })).status).toBe(
      200,
    );
    await flow.waitForState(assignmentId, 'Executed');
    // Past its validity period, with timers ticking every 300 ms and a complete job run: nothing
    // can contradict the operator, so the confirmation stays.
    await sleep((BADGE_VALIDITY_S + 2) * 1000);
    await flow.completeJob();
    expect(await flow.assignment(assignmentId)).toMatchObject({ provisioningStateCode: 8 });
    expect(await flow.historyTypes(assignmentId)).not.toContain('ProvisioningOrderErrored');

    const csv = (body: string) =>
      flow.operator.post('/api/connections/badge_office/synchronization', {
        body,
        headers: { 'content-type': 'text/csv' },
      });
    const bad = await csv('accountKey,holder,department\n,Nobody,IT\n');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/line 2: accountKey is required/);
    expect(
      (
        await flow.operator.post('/api/connections/hr_app/synchronization', {
          body: 'accountKey\n',
          headers: { 'content-type': 'text/csv' },
        })
      ).status,
    ).toBe(409);

    const read = await csv(`accountKey,holder,department\n${identity},Test badge,IT\nstranger,Some One,IT\n`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ verified: 1, nonConforming: 1, accounts: 2 });
    await flow.waitForState(assignmentId, 'Verified', 5_000);
    const drift = await waitFor(() => flow.requester.get('/api/connections/badge_office/non-conforming'), {
      until: (r) => r.status === 200 && r.body.length > 0,
      description: 'the stranger to be listed as non-conforming',
    });
    expect(drift.body).toEqual([expect.objectContaining({ accountKey: 'stranger', kind: 'account' })]);
  });

  it('postpone until: the order leaves the review queue, is listed as postponed, and comes back by itself', async () => {
    const identity = await flow.identity('later');
    const assignmentId = await flow.request(identity, 'hr_app_admin');
    const waiting = await flow.waitForState(assignmentId, 'AwaitingApproval');
    const orderId = waiting.currentOrder.orderId as string;
    const until = inSeconds(5);
    const postponed = await flow.reviewer.post(`/api/review/orders/${orderId}/postpone`, {
      body: { comment: 'ask the manager', until },
    });
    expect(postponed.status).toBe(200);
    const queue = (postponedOnly: boolean) =>
      flow.reviewer.get(`/api/review/orders?identityId=${identity}${postponedOnly ? '&postponed=true' : ''}`);
    const listed = await waitFor(() => queue(true), {
      until: (r) => r.status === 200 && r.body.length === 1,
      description: 'the order to be listed as postponed',
    });
    expect(listed.body[0]).toMatchObject({ orderId, postponedUntil: new Date(until).toISOString() });
    expect((await queue(false)).body).toEqual([]);
    expect((await flow.reviewer.get('/api/review/orders?postponed=maybe')).status).toBe(400);

    const back = await waitFor(() => queue(false), {
      until: (r) => r.status === 200 && r.body.length === 1,
      timeoutMs: 15_000,
      description: 'the order to come back to the queue',
    });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(until));
    expect(back.body[0]).toMatchObject({ orderId, provisioningStateCode: 5 });
    expect((await queue(true)).body).toEqual([]);
  });
});
