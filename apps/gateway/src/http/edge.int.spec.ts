import 'reflect-metadata';
import { Agent, get as httpGet } from 'node:http';
import { CommandClient } from '@prov/messaging';
import { waitFor } from '@prov/testing';
import { CreateCommands } from './create-command';
import { inProcessEdge, TOKENS } from '../testing/in-process-edge';

jest.setTimeout(240_000);

/**
 * The HTTP edge in-process (testing/in-process-edge.ts): malformed requests answered with the 4xx that
 * names the field, security headers, kept-alive connections, limits per address and per token,
 * and one caller's concurrent requests coalesced. Generated requests: edge-fuzz.int.spec.ts.
 */
describe('the HTTP edge', () => {
  const { edge, call, postJson } = inProcessEdge();

  it('answers the malformed requests that used to be 500 with 400, 413 or 415 naming the field', async () => {
    const nulPath = await call('GET', '/api/identities/a%00b', { token: TOKENS.requester });
    expect(nulPath).toMatchObject({
      status: 400,
      body: { details: [expect.objectContaining({ field: 'path', rule: 'noNulCharacter' })] },
    });
    const nulQuery = await call('GET', '/api/identities?search=x%00y', { token: TOKENS.requester });
    expect(nulQuery).toMatchObject({
      status: 400,
      body: { details: [expect.objectContaining({ field: 'query.search' })] },
    });
    const nulBody = await postJson('/api/assignments', {
      identityId: 'fuzz.one',
      entitlementId: 'hr_app_reader',
      comment: 'a\u0000b',
    });
    expect(nulBody).toMatchObject({
      status: 400,
      body: { details: [expect.objectContaining({ field: 'body.comment', rule: 'noNulCharacter' })] },
    });
    const large = await postJson('/api/assignments', {
      identityId: 'fuzz.one',
      entitlementId: 'x',
      comment: 'x'.repeat(120_000),
    });
    expect(large).toMatchObject({ status: 413, body: { code: 'PayloadTooLarge' } });
    const latin1 = await call('POST', '/api/assignments', {
      token: TOKENS.requester,
      body: '{"identityId":"fuzz.one"}',
      type: 'application/json; charset=latin1',
    });
    expect(latin1).toMatchObject({ status: 415, body: { code: 'UnsupportedCharset' } });
    const deep = await call('POST', '/api/assignments', {
      token: TOKENS.requester,
      body: `${'['.repeat(5000)}${']'.repeat(5000)}`,
      type: 'application/json',
    });
    expect(deep).toMatchObject({
      status: 400,
      body: { details: [expect.objectContaining({ rule: 'maxDepth' })] },
    });
    const cursor = await call('GET', `/api/audit/events?after=${'9'.repeat(20)}:${'9'.repeat(20)}`, {
      token: TOKENS.reviewer,
    });
    expect(cursor).toMatchObject({
      status: 400,
      body: { details: [expect.objectContaining({ field: 'after' })] },
    });
    const badEncoding = await call('GET', '/api/identities/%E0%A4%A', { token: TOKENS.requester });
    expect(badEncoding.status).toBe(400);
  });

  it('sends security headers and keeps the API documentation behind a token', async () => {
    const health = await call('GET', '/api/health');
    expect(health.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    // Who has what is kept by no cache, nor offered for revalidation.
    const person = {
      id: 'cache.one',
      login: 'cache1',
      firstName: 'C',
      lastName: 'One',
      email: 'cache.one@example.test',
    };
    expect([200, 201]).toContain((await postJson('/api/identities', person)).status);
    const written = await postJson('/api/assignments', {
      identityId: person.id,
      entitlementId: 'hr_app_reader',
    });
    const list = await call('GET', `/api/assignments?identityId=${person.id}`, { token: TOKENS.requester });
    expect([written.status, list.status]).toEqual([202, 200]);
    for (const answer of [health, list, written]) {
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('etag')).toBeNull();
    }
    expect((await call('GET', '/api/assignments')).status).toBe(401);
    expect((await call('GET', '/api/docs/json')).status).toBe(401);
    const docs = await call('GET', '/api/docs/json', { token: TOKENS.reviewer });
    expect(docs.status).toBe(200);
    expect(docs.body).toHaveProperty('openapi');
  });

  it('keeps an idle connection open past the 6 s after which Node would close it under a reusing client', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status?: number; reused: boolean }>((resolve, reject) => {
        const request = httpGet(`${edge.base}/api/health`, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode, reused: request.reusedSocket }));
        });
        request.on('error', reject);
      });
    try {
      expect(await get()).toEqual({ status: 200, reused: false });
      // Node's default closes after 5 s (+1 s of grace). The interval is what is tested: a busy
      // machine can only make the server close later, never sooner.
      await new Promise((resolve) => setTimeout(resolve, 7_500));
      expect(await get()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  });

  it('limits sign-in attempts per address with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await call('GET', '/api/session', { token: i % 2 ? TOKENS.operator : 'wrong-token-guess' });
      statuses.push(last.status);
    }
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.body).toMatchObject({ code: 'TooManyRequests' });
  });

  it('caps live-update streams per token', async () => {
    const controllers = [new AbortController(), new AbortController()];
    try {
      for (const controller of controllers) {
        const open = await fetch(`${edge.base}/api/events`, {
          headers: { authorization: `Bearer ${TOKENS.reviewer}` },
          signal: controller.signal,
        });
        expect(open.status).toBe(200);
      }
      const refused = await call('GET', '/api/events', { token: TOKENS.reviewer });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('30');
    } finally {
      controllers.forEach((controller) => controller.abort());
    }
    await waitFor(
      () =>
        fetch(`${edge.base}/api/events`, { headers: { authorization: `Bearer ${TOKENS.reviewer}` } }).then(
          (r) => (r.body?.cancel(), r.status),
        ),
      {
        until: (status) => status === 200,
        timeoutMs: 10_000,
        description: 'closed streams to be released',
      },
    );
  });

  it('sends concurrent requests of one caller as fewer commands, each caller answered as alone (ADR 0053)', async () => {
    const ids = Array.from({ length: 23 }, (_, i) => `together.${i}`);
    const registered = await postJson('/api/identities/batch', {
      items: ids.map((id) => ({ id, login: id, firstName: 'T', lastName: id, email: `${id}@example.test` })),
    });
    expect(registered).toMatchObject({ status: 200, body: { created: ids.length } });
    const held = await postJson('/api/assignments', { identityId: ids[0], entitlementId: 'hr_app_reader' });
    expect(held.status).toBe(202);
    // The first commands are held until every request has arrived, so the others must wait.
    const creates = edge.gateway.get(CreateCommands);
    const commands = edge.gateway.get(CommandClient);
    let arrived = 0;
    const arrive = creates.send.bind(creates);
    jest.spyOn(creates, 'send').mockImplementation((create, body, caller) => {
      arrived += 1;
      return arrive(create, body, caller);
    });
    const sent: string[] = [];
    const send = commands.send.bind(commands);
    jest.spyOn(commands, 'send').mockImplementation(async (service, command, payload, options) => {
      sent.push(command);
      await waitFor(async () => arrived, { until: (n) => n === bodies.length, timeoutMs: 30_000 });
      return send(service, command, payload, options);
    });
    const bodies = [
      ...ids.slice(1).map((identityId) => ({ identityId, entitlementId: 'hr_app_reader' })),
      { identityId: ids[0], entitlementId: 'hr_app_reader' },
      { identityId: ids[1], entitlementId: 'nope' },
    ];
    try {
      const answers = await Promise.all(bodies.map((body) => postJson('/api/assignments', body)));
      expect(sent.length).toBeLessThan(bodies.length / 4);
      expect(sent).toContain('request-assignment-batch');
      expect(answers.slice(0, ids.length - 1)).toEqual(
        ids.slice(1).map(() =>
          expect.objectContaining({
            status: 202,
            body: { assignmentId: expect.any(String), created: true },
          }),
        ),
      );
      expect(answers[ids.length - 1]).toMatchObject({
        status: 200,
        body: { assignmentId: held.body.assignmentId, created: false },
      });
      jest.restoreAllMocks();
      const alone = await postJson('/api/assignments', bodies[bodies.length - 1]);
      expect(alone.status).toBe(404);
      expect(answers[bodies.length - 1]).toEqual(
        expect.objectContaining({ status: alone.status, body: alone.body }),
      );
    } finally {
      jest.restoreAllMocks();
    }
  });
});
