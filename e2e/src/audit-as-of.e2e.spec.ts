import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { type RunningSystem, startSystem, waitFor } from '@prov/testing';
import { Flow } from './flow-helpers';

jest.setTimeout(240_000);

const SAMPLE = readFileSync(resolve(__dirname, '../../deploy/role-model/sample.yaml'), 'utf8');
const HR_DISPLAY_NAME = `    attributes:
      login: login
      displayName: trim(concat(firstName, " ", lastName))`;
const BUILDING_BADGE = `  - id: building_badge
    name: Building badge
    resourceType: badge

`;

/**
 * Audit questions through the whole system: what an identity had at a past instant and who held
 * an entitlement then (folded from the events), what a candidate role model would do (without
 * writing anything), and which orders are stuck past their service level.
 */
describe('any instant, what-if and stuck orders, end to end', () => {
  let system: RunningSystem;
  let flow: Flow;
  let db: Client;

  beforeAll(async () => {
    system = await startSystem({
      env: { STUCK_AFTER_TRANSMITTED: 'PT1S', STUCK_AFTER_AWAITING_APPROVAL: 'PT1S' },
    });
    flow = new Flow(system);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  const eventCount = async () => Number((await db.query('SELECT count(*) AS n FROM es.events')).rows[0].n);

  it('answers permissions and holders as of a past instant exactly as the API answered then', async () => {
    const identity = await flow.identity('asof');
    const reader = await flow.request(identity, 'hr_app_reader');
    await flow.waitForState(reader, 'Executed');
    const then = await flow.requester.get(`/api/identities/${identity}/permissions`);
    expect(then.body).toEqual([
      expect.objectContaining({ assignmentId: reader, provisioningState: 'Executed', origin: ['request'] }),
    ]);
    const holdersAnsweredThen = await flow.requester.get('/api/entitlements/hr_app_reader/holders');
    expect(holdersAnsweredThen.body.map((h: { assignmentId: string }) => h.assignmentId)).toContain(reader);
    const instant = new Date().toISOString();

    const badge = await flow.request(identity, 'building_badge');
    await flow.waitForState(badge, 'Transmitted');
    expect((await flow.requester.delete(`/api/assignments/${reader}`)).status).toBe(202);
    await waitFor(() => flow.assignment(reader), {
      until: (a) => a.workflowState === 'Revoked',
      description: 'the revocation to be projected',
    });

    const asOf = await flow.requester.get(`/api/identities/${identity}/permissions?asOf=${instant}`);
    expect(asOf.status).toBe(200);
    expect(asOf.body).toEqual(then.body);

    const holdersThen = await flow.requester.get(`/api/entitlements/hr_app_reader/holders?asOf=${instant}`);
    expect(holdersThen.body).toEqual(holdersAnsweredThen.body);
    const holdersNow = await flow.requester.get('/api/entitlements/hr_app_reader/holders');
    expect(holdersNow.body.map((h: { assignmentId: string }) => h.assignmentId)).not.toContain(reader);

    // Folded at now, the tab agrees with the live read model once the projector has caught up.
    await waitFor(
      async () => [
        (await flow.requester.get(`/api/identities/${identity}/permissions`)).body,
        (await flow.requester.get(`/api/identities/${identity}/permissions?asOf=${new Date().toISOString()}`))
          .body,
      ],
      {
        until: ([live, folded]) => JSON.stringify(live) === JSON.stringify(folded) && live.length === 2,
        description: 'fold at now to equal the read model',
      },
    );
    const before = await flow.requester.get(
      `/api/identities/${identity}/permissions?asOf=2000-01-01T00:00:00Z`,
    );
    expect(before).toMatchObject({ status: 404, body: { code: 'IdentityNotFound' } });
    const bad = await flow.requester.get(`/api/identities/${identity}/permissions?asOf=yesterday`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('asOf');
  });

  it('pages the holders of an entitlement without repeating or skipping', async () => {
    const ids = [];
    for (const name of ['h1', 'h2', 'h3'])
      ids.push(await flow.request(await flow.identity(name), 'parking_badge'));
    await Promise.all(ids.map((id) => flow.waitForState(id, 'Transmitted')));
    const seen: string[] = [];
    let path: string | null = '/api/entitlements/parking_badge/holders?limit=2';
    while (path) {
      const page: { body: Array<{ assignmentId: string }>; headers: Headers } = await flow.operator.get(path);
      seen.push(...page.body.map((h) => h.assignmentId));
      const next = page.headers.get('x-next-cursor');
      path = next ? `/api/entitlements/parking_badge/holders?limit=2&cursor=${next}` : null;
    }
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it('previews a changed attribute (Modified) and a removed entitlement (Deleted) without writing an event', async () => {
    const hrIdentity = await flow.identity('whatif');
    const hr = await flow.request(hrIdentity, 'hr_app_reader');
    const badge = await flow.request(await flow.identity('whatif'), 'building_badge');
    await Promise.all([flow.waitForState(hr, 'Executed'), flow.waitForState(badge, 'Transmitted')]);
    const candidate = SAMPLE.replace(
      HR_DISPLAY_NAME,
      HR_DISPLAY_NAME.replace('trim(concat(firstName, " ", lastName))', 'upper(lastName)'),
    ).replace(BUILDING_BADGE, '');
    expect(candidate).not.toBe(SAMPLE);

    const events = await eventCount();
    const preview = await flow.operator.post('/api/role-model/preview?limit=1000', {
      body: candidate,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(preview.status).toBe(200);
    const orders = preview.body.orders as Array<Record<string, unknown>>;
    expect(orders.find((o) => o.assignmentId === hr)).toMatchObject({
      changeType: 'Modified',
      reason: 'modified',
      connectionId: 'hr_app',
      alsoUnderCurrentModel: false,
      changes: { attributes: { displayName: 'WHATIF' } },
    });
    expect(orders.find((o) => o.assignmentId === badge)).toMatchObject({
      changeType: 'Deleted',
      reason: 'removed',
      connectionId: 'badge_office',
    });
    expect(preview.body.summary.orders.modified).toBeGreaterThanOrEqual(1);
    expect(preview.body.summary.byConnection).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          connectionId: 'badge_office',
          accounts: expect.objectContaining({ deleted: expect.any(Number) }),
        }),
      ]),
    );
    expect(preview.body.candidateVersion).not.toBe(preview.body.currentVersion);
    expect(await eventCount()).toBe(events);

    // The same, a page at a time.
    const first = await flow.operator.post('/api/role-model/preview?limit=1', { body: { yaml: candidate } });
    expect(first.body.orders).toHaveLength(1);
    const second = await flow.operator.post(`/api/role-model/preview?limit=1&cursor=${first.body.next}`, {
      body: { yaml: candidate },
    });
    expect(second.body.orders[0]).toEqual(preview.body.orders[1]);
    expect((await flow.requester.post('/api/role-model/preview', { body: { yaml: candidate } })).status).toBe(
      403,
    );
  });

  it('refuses an invalid candidate with 400 naming the field and the loader’s rule', async () => {
    const unknown = SAMPLE.replace('    resourceType: badge\n', '    resourceType: badges\n');
    const answer = await flow.operator.post('/api/role-model/preview', {
      body: unknown,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('RoleModelInvalid');
    expect(answer.body.details).toEqual([
      expect.objectContaining({
        field: expect.stringMatching(/^entitlements\[\d+\]\.resourceType$/),
        rule: expect.stringContaining("unknown resource type 'badges'"),
      }),
    ]);
    const syntax = await flow.operator.post('/api/role-model/preview', {
      body: 'version: 1\nconnections: [',
      headers: { 'content-type': 'application/yaml' },
    });
    expect(syntax).toMatchObject({ status: 400, body: { code: 'RoleModelInvalid' } });
    expect(syntax.body.details[0].rule).toMatch(/^YAML syntax/);
    const empty = await flow.operator.post('/api/role-model/preview', { body: {} });
    expect(empty).toMatchObject({
      status: 400,
      body: { details: [expect.objectContaining({ field: 'body' })] },
    });
  });

  it('lists orders stuck past their state’s service level, with how long and why', async () => {
    const review = await flow.request(await flow.identity('stuck'), 'hr_app_admin');
    const manual = await flow.request(await flow.identity('stuck'), 'building_badge');
    const [waiting, transmitted] = await Promise.all([
      flow.waitForState(review, 'AwaitingApproval'),
      flow.waitForState(manual, 'Transmitted'),
    ]);
    const stuck = await waitFor(() => flow.operator.get('/api/orders/stuck'), {
      until: (r) => {
        const ids = (r.body.orders ?? []).map((o: { orderId: string }) => o.orderId);
        return ids.includes(waiting.currentOrder.orderId) && ids.includes(transmitted.currentOrder.orderId);
      },
      description: 'both orders to be past their 1 s service level',
    });
    const byId = new Map(stuck.body.orders.map((o: { orderId: string }) => [o.orderId, o]));
    expect(byId.get(waiting.currentOrder.orderId)).toMatchObject({
      reason: 'waiting-for-review',
      state: 'AwaitingApproval',
      serviceLevelMs: 1000,
    });
    expect(byId.get(transmitted.currentOrder.orderId)).toMatchObject({
      reason: 'waiting-for-operator',
      state: 'Transmitted',
    });
    expect((byId.get(transmitted.currentOrder.orderId) as { inStateMs: number }).inStateMs).toBeGreaterThan(
      1000,
    );
    expect(stuck.body.count).toBeGreaterThanOrEqual(2);
    expect(stuck.body.byReason['waiting-for-review']).toBeGreaterThanOrEqual(1);
    const filtered = await flow.operator.get('/api/orders/stuck?reason=waiting-for-review');
    expect(filtered.body.orders.every((o: { reason: string }) => o.reason === 'waiting-for-review')).toBe(
      true,
    );
    const bad = await flow.operator.get('/api/orders/stuck?reason=lunch');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('reason must be one of');
  });
});
