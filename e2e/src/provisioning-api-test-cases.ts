import { waitFor } from '@prov/testing';
import type { SystemUnderTest } from './flow-helpers';

/**
 * What the API answers besides the flows: conflicting approvals (409), invalid input (400) and
 * unknown ids (404), batches with one result per item, and the roles (403, 401). Registered by
 * provisioning-flows.e2e.spec.ts, inside its describe and on its system.
 */
export function apiAnswers(bed: SystemUnderTest): void {
  it('20 concurrent approvals of one order: exactly one succeeds, the others get 409', async () => {
    const { flow } = bed;
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
    const { flow } = bed;
    const assignmentId = await flow.request(await flow.identity('late'), 'hr_app_reader');
    const executed = await flow.waitForState(assignmentId, 'Executed');
    const answer = await flow.reviewer.post(`/api/review/orders/${executed.currentOrder.orderId}/approve`, {
      body: {},
    });
    expect(answer.status).toBe(409);
    expect(answer.body.message).toContain('8 Executed');
  });

  it('invalid input is a 400 naming the fields; unknown ids are 404', async () => {
    const { flow } = bed;
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
    const { flow } = bed;
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
    const { system, flow } = bed;
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
}
