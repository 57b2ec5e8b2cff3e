import 'reflect-metadata';
import type { INestApplication, INestMicroservice } from '@nestjs/common';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { Agent, get as httpGet } from 'node:http';
import { Client } from 'pg';
import { CommandClient, createCommandMicroservice } from '@prov/messaging';
import { DOMAIN_ERROR_STATUSES, serviceBus } from '@prov/platform';
import {
  createTestDatabase,
  generateBus,
  type RunningNatsServer,
  startNatsServer,
  type TestDatabase,
  waitFor,
} from '@prov/testing';
import { CreateCommands } from './create-command';

jest.setTimeout(240_000);

const TOKENS = {
  requester: 'edge-requester-token',
  reviewer: 'edge-reviewer-token',
  operator: 'edge-operator-token',
};
const encoder = new TextEncoder();

/**
 * The gateway in-process, with the services it talks to (requests, review, projector) also
 * in-process, against its own nats-server and a fresh database: the HTTP edge fed thousands of
 * generated requests must answer every one with less than 500 and write nothing half.
 */
describe('the HTTP edge', () => {
  let nats: RunningNatsServer;
  let database: TestDatabase;
  let gateway: INestApplication;
  let services: INestMicroservice[] = [];
  let base: string;
  const saved = { ...process.env };

  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: string | Uint8Array; type?: string } = {},
  ) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.type) headers['content-type'] = options.type;
    const response = await fetch(`${base}${path}`, { method, headers, body: options.body });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, headers: response.headers, body: body as Record<string, unknown> };
  };
  const postJson = (path: string, value: unknown, token = TOKENS.requester) =>
    call('POST', path, { token, body: JSON.stringify(value), type: 'application/json' });

  beforeAll(async () => {
    nats = await startNatsServer();
    database = await createTestDatabase('edge');
    Object.assign(process.env, {
      NATS_URL: nats.url,
      DATABASE_URL: database.url,
      HR_APP_DATABASE_URL: database.url,
      ROLE_MODEL: 'deploy/role-model/sample.yaml',
      API_TOKENS: Object.entries(TOKENS)
        .map(([role, token]) => `${role}-bot:${role}:${createHash('sha256').update(token).digest('hex')}`)
        .join(','),
      RATE_LIMIT_SIGN_IN: '5',
      RATE_LIMIT_WRITES: '100000',
      SSE_MAX_PER_TOKEN: '2',
      API_DOCS_PUBLIC: 'false',
    });
    // Every service in this one process: each reads its own bus identity when its module is
    // imported (the bus settings are read once per service), on an open test NATS.
    const bus = generateBus([]);
    const modules = {
      projector: async () => (await import('../../../projector/src/projector.module')).ProjectorModule,
      requests: async () => (await import('../../../requests/src/requests.module')).RequestsModule,
      review: async () => (await import('../../../review/src/review.module')).ReviewModule,
    };
    for (const [service, load] of Object.entries(modules)) {
      Object.assign(process.env, bus.env(service));
      const module = await load();
      const own = serviceBus(service);
      const app = await createCommandMicroservice(module, {
        natsUrl: nats.url,
        service,
        credentials: own.credentials,
        verification: { keys: own.keys },
        logger: false,
        shutdownHooks: false,
        gracePeriodMs: 50,
        filter: {
          statuses: { ...DOMAIN_ERROR_STATUSES },
          logger: { error: () => undefined, debug: () => undefined },
        },
      });
      await app.listen();
      services.push(app);
    }
    Object.assign(process.env, bus.env('gateway'));
    const { createGatewayApp } = await import('../gateway-app');
    gateway = await createGatewayApp(false);
    await gateway.listen(0, '127.0.0.1');
    base = (await gateway.getUrl()).replace('[::1]', '127.0.0.1');
    await waitFor(() => call('GET', '/api/health'), {
      until: (r) => r.status === 200,
      timeoutMs: 60_000,
      description: 'the gateway to be healthy',
    });
    const identity = await postJson('/api/identities', {
      id: 'fuzz.one',
      login: 'fuzz1',
      firstName: 'F',
      lastName: 'One',
      email: 'fuzz.one@example.test',
    });
    expect([200, 201]).toContain(identity.status);
  });

  afterAll(async () => {
    await gateway?.close();
    for (const app of services) await app.close();
    services = [];
    await database?.drop();
    await nats?.stop();
    process.env = saved;
  });

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
        const request = httpGet(`${base}/api/health`, { agent }, (response) => {
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
        const open = await fetch(`${base}/api/events`, {
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
        fetch(`${base}/api/events`, { headers: { authorization: `Bearer ${TOKENS.reviewer}` } }).then(
          (r) => (r.body?.cancel(), r.status),
        ),
      {
        until: (status) => status === 200,
        timeoutMs: 10_000,
        description: 'closed streams to be released',
      },
    );
  });

  it('4,000 generated bodies, query strings and paths: no 5xx, and exactly the accepted requests are recorded', async () => {
    const valid = await postJson('/api/assignments', {
      identityId: 'fuzz.one',
      entitlementId: 'hr_app_reader',
    });
    expect(valid.status).toBe(202);
    let accepted = 1;
    const text = fc.string({
      maxLength: 60,
      unit: fc.constantFrom('a', 'Z', '0', '.', ' ', '\u0000', 'é', '😀', '%', '"', '\\', '\ud800'),
    });
    const requestBody = fc.oneof(
      fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value)),
      fc
        .record(
          {
            identityId: fc.oneof(fc.constant('fuzz.one'), text),
            entitlementId: fc.oneof(
              fc.constantFrom('hr_app_reader', 'building_badge', 'hr_app_admin', 'nope'),
              text,
            ),
            comment: text,
            startsAt: fc.oneof(fc.constant('2026-01-01T00:00:00Z'), text),
            assignmentId: fc.oneof(fc.uuid(), text),
            extra: fc.jsonValue({ maxDepth: 3 }),
          },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 200 }),
      fc.integer({ min: 20, max: 3000 }).map((n) => `{"identityId":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/merge-patch+json',
    );
    const queryPart = fc
      .tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 }))
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    const rawQuery = fc.oneof(
      fc.array(queryPart, { maxLength: 5 }).map((parts) => parts.join('&')),
      fc.constantFrom(
        'limit=-1',
        'limit=1e400',
        'after=%',
        'a[b][c][d][e][f]=1',
        'after=00000000000000000000:00000000000000000001',
        'provisioningState=%00',
      ),
    );
    const readPath = fc.constantFrom(
      '/api/assignments',
      '/api/audit/events',
      '/api/review/orders',
      '/api/identities',
      '/api/manual/orders',
    );
    const segment = fc.oneof(
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
      fc.constantFrom('%00', '%', '%E0%A4%A', '..', '%2F', 'fuzz.one'),
    );

    await fc.assert(
      fc.asyncProperty(requestBody, contentType, async (body, type) => {
        const response = await call('POST', '/api/assignments', {
          token: TOKENS.requester,
          body: encoder.encode(body),
          type,
        });
        expect({ status: response.status, body: response.body }).toEqual({
          status: expect.any(Number),
          body: expect.anything(),
        });
        expect(response.status).toBeLessThan(500);
        if (response.status === 202) accepted += 1;
      }),
      { numRuns: 1500 },
    );
    await fc.assert(
      fc.asyncProperty(readPath, rawQuery, async (path, query) => {
        const response = await call('GET', `${path}?${query}`, { token: TOKENS.operator });
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 1500 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/identities/',
          '/api/assignments/',
          '/api/review/orders/',
          '/api/identities/fuzz.one/',
        ),
        segment,
        async (prefix, part) => {
          const response = await call('GET', `${prefix}${part}`, { token: TOKENS.reviewer });
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 1000 },
    );

    // Nothing half-written: every 202 is one recorded request, and nothing else was recorded.
    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    try {
      const { rows } = await pg.query(
        "SELECT count(*)::int AS n FROM es.events WHERE event_type = 'AssignmentRequested'",
      );
      expect(rows[0].n).toBe(accepted);
      const nul = await pg.query(
        "SELECT count(*)::int AS n FROM es.events WHERE data::text LIKE '%\\\\u0000%'",
      );
      expect(nul.rows[0].n).toBe(0);
    } finally {
      await pg.end();
    }
    expect((await call('GET', '/api/health')).status).toBe(200);
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
    const creates = gateway.get(CreateCommands);
    const commands = gateway.get(CommandClient);
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
