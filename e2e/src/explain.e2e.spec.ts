import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { assignmentStreamName } from '@prov/domain';
import { type RunningSlapd, type RunningSystem, startSlapd, startSystem, waitFor } from '@prov/testing';
import { SAMPLE_LDAP_BASE_DN } from './directory-fixture';
import { Flow } from './flow-helpers';
import { rewriteRoleModel, writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(300_000);

interface Step {
  kind: string;
  [key: string]: unknown;
}

/**
 * Role-model versions, explain and the audit log through the whole system: every service as a
 * process, OpenLDAP behind the sample's corp_ldap connection. One system for all the cases.
 */
describe('role-model versions, explain and the audit log, end to end', () => {
  let slapd: RunningSlapd;
  let system: RunningSystem;
  let flow: Flow;
  let roleModel: string;
  const startedAt = new Date().toISOString();

  beforeAll(async () => {
    slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN });
    roleModel = writeFastRoleModel();
    system = await startSystem({
      roleModel,
      serviceEnv: {
        agent: { CORP_LDAP_URL: slapd.url, CORP_LDAP_PASSWORD: slapd.servicePassword },
        // Every complete job of this file checks the chains (the default is at most every 20 h).
        orders: { COMPLETE_JOB_CHAIN_CHECK_EVERY: 'PT1S' },
      },
    });
    flow = new Flow(system);
  });

  afterAll(async () => {
    await system?.stop();
    await slapd?.stop();
  });

  const explain = async (assignmentId: string): Promise<Step[]> =>
    (await flow.reviewer.get(`/api/assignments/${assignmentId}/explain`)).body.steps;

  it('records the role model loaded by every service as one version', async () => {
    const page = await flow.reviewer.get('/api/role-model/versions');
    expect(page.status).toBe(200);
    expect(page.body.versions).toHaveLength(1);
    expect(page.body.versions[0]).toMatchObject({
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      source: 'role-model.yaml',
    });
    expect((await flow.requester.get('/api/role-model/versions')).status).toBe(403);
  });

  it('explains a requested assignment through the slapd write and its verification', async () => {
    const identity = await flow.identity('why');
    const assignmentId = await flow.request(identity, 'ldap_staff', { comment: 'joins the staff' });
    await flow.waitForState(assignmentId, 'Executed');
    await flow.completeJob();
    await flow.waitForState(assignmentId, 'Verified');
    const steps = await explain(assignmentId);
    expect(steps.map((s) => s.kind)).toEqual(['request', 'order', 'attempt', 'observation']);
    expect(steps[0]).toMatchObject({ by: expect.any(String), comment: 'joins the staff' });
    const version = (await flow.reviewer.get('/api/role-model/versions')).body.versions[0].hash;
    expect(steps[1]).toMatchObject({ origin: 'request', roleModelVersion: version });
    expect((steps[1].account as { attributes: unknown[] }).attributes).toContainEqual({
      name: 'mail',
      expression: 'email',
      inputs: { email: `${identity}@example.test` },
      value: `${identity}@example.test`,
    });
    expect(steps[2]).toMatchObject({
      result: 'executed',
      connectorCall: {
        operation: 'create-or-converge',
        target: `uid=${identity},${slapd.peopleDn}`,
        group: 'staff',
      },
    });
    expect(steps[3]).toMatchObject({ kind: 'observation' });
  });

  it('explains a rule-given assignment with the identity value that made the rule hold, and why not for another person', async () => {
    const finance = await flow.identity('fin', { department: 'Finance' });
    const answer = await waitFor(
      () => flow.reviewer.get(`/api/identities/${finance}/explain?entitlement=ldap_finance`),
      {
        until: (r) => r.status === 200 && r.body.has === true,
        timeoutMs: 60_000,
        description: 'the finance rule to be provisioned',
      },
    );
    expect(answer.body.holders).toEqual(['rule:finance_directory']);
    expect(answer.body.explanation.steps[0]).toMatchObject({
      kind: 'rule',
      ruleId: 'finance_directory',
      rule: { holds: true, inputs: { department: 'Finance' } },
    });
    expect(answer.body.explanation.steps[1]).toMatchObject({ origin: 'rule:finance_directory' });

    const it = await flow.identity('it');
    const whyNot = await flow.reviewer.get(`/api/identities/${it}/explain?entitlement=ldap_finance`);
    expect(whyNot.body).toMatchObject({ has: false, explanation: null });
    expect(whyNot.body.reasons.map((r: { code: string }) => r.code)).toEqual(['no-request', 'no-rule-holds']);
    expect((await flow.reviewer.get(`/api/identities/${it}/explain`)).status).toBe(400);
  });

  it('a changed role model is a new version, with its diff, and later orders name it', async () => {
    rewriteRoleModel(roleModel, (yaml) =>
      yaml.replace(
        '      mail: email\n      departmentNumber: department',
        '      mail: lower(email)\n      departmentNumber: department',
      ),
    );
    const versions = await waitFor(() => flow.reviewer.get('/api/role-model/versions'), {
      until: (r) => r.body.versions?.length === 2,
      timeoutMs: 30_000,
      description: 'the changed role model to be recorded',
    });
    const [v1, v2] = versions.body.versions;
    const diff = await flow.reviewer.get(`/api/role-model/versions/${v1.version}/diff/${v2.hash}`);
    expect(diff.body.sections.resourceTypes.changed).toEqual([
      expect.objectContaining({
        id: 'corp_ldap_account',
        fields: {
          attributes: expect.objectContaining({ to: expect.objectContaining({ mail: 'lower(email)' }) }),
        },
      }),
    ]);
    expect(diff.body.text).toContain('+      mail: lower(email)');
    const order = await waitFor(
      async () => {
        const id = await flow.request(await flow.identity('v2probe'), 'ldap_staff');
        await flow.waitForState(id, 'Executed');
        return (await explain(id))[1];
      },
      {
        until: (order) => order.roleModelVersion === v2.hash,
        timeoutMs: 60_000,
        description: 'orders to name the new version',
      },
    );
    expect(order).toMatchObject({
      account: {
        attributes: expect.arrayContaining([
          expect.objectContaining({ name: 'mail', expression: 'lower(email)' }),
        ]),
      },
    });
  });

  it('the audit log filters by stream, type, actor and time, and exports JSON lines and CSV', async () => {
    const identity = await flow.identity('audit');
    await flow.request(identity, 'ldap_staff', { comment: 'for the audit' });
    const requested = await waitFor(
      () => flow.reviewer.get(`/api/audit/events?type=AssignmentRequested&from=${startedAt}&limit=1000`),
      {
        until: (r) =>
          r.status === 200 &&
          r.body.events.some((e: { data: { identityId: string } }) => e.data.identityId === identity),
        description: 'the request in the audit log',
      },
    );
    const mine = requested.body.events.find(
      (e: { data: { identityId: string } }) => e.data.identityId === identity,
    );
    expect(requested.body.events.every((e: { type: string }) => e.type === 'AssignmentRequested')).toBe(true);
    const byActor = await flow.reviewer.get(
      `/api/audit/events?actor=${encodeURIComponent(mine.actor)}&stream=${mine.streamName}`,
    );
    expect(byActor.body.events.map((e: { type: string }) => e.type)).toEqual(['AssignmentRequested']);
    const future = await flow.reviewer.get(`/api/audit/events?from=2999-01-01T00:00:00Z`);
    expect(future.body.events).toEqual([]);
    expect((await flow.reviewer.get('/api/audit/events?from=yesterday')).status).toBe(400);
    const versions = await flow.reviewer.get('/api/audit/events?stream=rolemodel-&type=RoleModelDeployed');
    expect(versions.body.events).toHaveLength(2);

    // The stream goes on (the order generated, sent, executed) while the exports are read: the
    // two are compared once the JSON lines read before and after the CSV are the same (the log
    // only grows, so nothing was appended in between).
    const exported = (format: string) =>
      flow.reviewer.get(`/api/audit/events/export?stream=${mine.streamName}&format=${format}`);
    const { jsonl, csv } = await waitFor(
      async () => ({
        jsonl: await exported('jsonl'),
        csv: await exported('csv'),
        after: await exported('jsonl'),
      }),
      {
        until: ({ jsonl, after }) => String(jsonl.body) === String(after.body),
        description: 'the same stream in both exports',
      },
    );
    expect(jsonl.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = String(jsonl.body)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'AssignmentRequested', streamName: mine.streamName });
    const rows = String(csv.body).trim().split('\r\n');
    expect(rows[0]).toBe('position,occurredAt,streamName,revision,type,actor,data,metadata');
    expect(rows[1]).toContain(',AssignmentRequested,');
    expect(rows.length).toBe(lines.length + 1);
  });

  it('an auditor reads every audit endpoint and is refused every change', async () => {
    const auditor = flow.system.client('auditor');
    const identity = await flow.identity('audited');
    const assignmentId = await flow.request(identity, 'ldap_staff', { comment: 'for the auditor' });
    await flow.waitForState(assignmentId, 'Executed');
    const [version] = (await auditor.get('/api/role-model/versions')).body.versions;
    const reads = [
      `/api/assignments/${assignmentId}/explain`,
      `/api/identities/${identity}/explain?entitlement=ldap_staff`,
      `/api/identities/${identity}/permissions?asOf=${new Date().toISOString()}`,
      `/api/entitlements/ldap_staff/holders?asOf=${new Date().toISOString()}`,
      `/api/assignments/${assignmentId}?asOf=${new Date().toISOString()}`,
      '/api/audit/events?type=AssignmentRequested',
      `/api/audit/events/export?stream=${assignmentStreamName(assignmentId)}&format=csv`,
      `/api/role-model/versions/${version.version}`,
      `/api/role-model/versions/${version.hash}/diff/${version.hash}`,
      '/api/orders/stuck',
      `/api/audit/verify?stream=${assignmentStreamName(assignmentId)}`,
      '/api/jobs',
    ];
    for (const path of reads) expect([path, (await auditor.get(path)).status]).toEqual([path, 200]);
    const preview = await auditor.post('/api/role-model/preview', {
      body: { yaml: readFileSync(roleModel, 'utf8') },
    });
    expect(preview.status).toBe(200);
    expect((await auditor.get('/api/session')).body).toMatchObject({ role: 'auditor' });

    const writes: Array<[string, string, unknown?]> = [
      ['POST', '/api/assignments', { identityId: identity, entitlementId: 'ldap_finance' }],
      ['DELETE', `/api/assignments/${assignmentId}`],
      [
        'POST',
        '/api/identities',
        { login: 'nobody', firstName: 'No', lastName: 'Body', email: 'nobody@example.test' },
      ],
      ['PATCH', `/api/identities/${identity}`, { department: 'Finance' }],
      ['POST', `/api/identities/${identity}/deactivate`, {}],
      ['POST', `/api/review/orders/${randomUUID()}/approve`, {}],
      ['POST', `/api/manual/orders/${randomUUID()}/confirm`, {}],
      ['POST', '/api/jobs/complete'],
      ['POST', '/api/admin/replay'],
    ];
    for (const [method, path, body] of writes) {
      const response = await auditor.request(method, path, body === undefined ? {} : { body });
      expect([method, path, response.status]).toEqual([method, path, 403]);
    }
    expect((await auditor.get('/api/review/orders')).status).toBe(403);
    expect((await flow.assignment(assignmentId)).workflowState).not.toBe('Revoked');
  });

  it("verifies the hash chains and names the event changed behind the engine's back", async () => {
    expect((await flow.reviewer.get('/api/audit/verify')).status).toBe(403);
    const intact = await flow.admin.get('/api/audit/verify');
    expect(intact.status).toBe(200);
    expect(intact.body).toMatchObject({ ok: true, firstBreak: null });
    expect(intact.body.eventsChecked).toBeGreaterThan(0);

    const identity = await flow.identity('tamper');
    const assignmentId = await flow.request(identity, 'ldap_staff', { comment: 'honest' });
    const stream = assignmentStreamName(assignmentId);
    const db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(
        `UPDATE es.events SET data = jsonb_set(data, '{comment}', '"forged"')
          WHERE stream_name = $1 AND stream_revision = 0 RETURNING event_id::text AS id`,
        [stream],
      );
      expect(rows).toHaveLength(1);
      const one = await flow.admin.get(`/api/audit/verify?stream=${stream}`);
      expect(one.body).toMatchObject({
        ok: false,
        firstBreak: { streamName: stream, revision: 0, eventId: rows[0].id },
      });
      const all = await flow.admin.get('/api/audit/verify');
      expect(all.body).toMatchObject({ ok: false, firstBreak: { streamName: stream, revision: 0 } });

      // The complete job's verify task finds it too, and names the event; earlier runs found none.
      const job = await flow.completeJob();
      const verify = (
        job.tasks as Array<{ name: string; counts: Record<string, number>; errors: string[] }>
      ).find((t) => t.name === 'verify')!;
      expect(verify.counts).toMatchObject({ chainBroken: 1, chainEvents: expect.any(Number) });
      expect(verify.errors).toEqual([
        expect.stringContaining(`event ${rows[0].id} (stream ${stream}, revision 0)`),
      ]);
      expect(JSON.stringify((await flow.operator.get('/api/jobs')).body)).toContain('"chainBroken":0');
    } finally {
      await db.end();
    }
  });
});
