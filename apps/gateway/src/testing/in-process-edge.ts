import 'reflect-metadata';
import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createCommandMicroservice } from '@prov/messaging';
import { DOMAIN_ERROR_STATUSES, serviceBus } from '@prov/platform';
import {
  createTestDatabase,
  generateBus,
  type RunningNatsServer,
  startNatsServer,
  type TestDatabase,
  waitFor,
} from '@prov/testing';

export const TOKENS = {
  requester: 'edge-requester-token',
  reviewer: 'edge-reviewer-token',
  operator: 'edge-operator-token',
};

export interface InProcessEdge {
  gateway: INestApplication;
  database: TestDatabase;
  /** The gateway's URL. */
  base: string;
}

/**
 * The gateway in-process, with the services it talks to (requests, review, projector) also
 * in-process, against its own nats-server and a fresh database, and one identity (`fuzz.one`)
 * registered. Call it inside `describe`: it registers its own beforeAll and afterAll; `edge`
 * holds the running parts once they run.
 */
export function inProcessEdge() {
  const edge = {} as InProcessEdge;
  let nats: RunningNatsServer;
  let services: INestMicroservice[] = [];
  const saved = { ...process.env };

  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: string | Uint8Array; type?: string } = {},
  ) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.type) headers['content-type'] = options.type;
    const response = await fetch(`${edge.base}${path}`, { method, headers, body: options.body });
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
    edge.database = await createTestDatabase('edge');
    Object.assign(process.env, {
      NATS_URL: nats.url,
      DATABASE_URL: edge.database.url,
      HR_APP_DATABASE_URL: edge.database.url,
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
    edge.gateway = await createGatewayApp(false);
    await edge.gateway.listen(0, '127.0.0.1');
    edge.base = (await edge.gateway.getUrl()).replace('[::1]', '127.0.0.1');
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
    await edge.gateway?.close();
    for (const app of services) await app.close();
    services = [];
    await edge.database?.drop();
    await nats?.stop();
    process.env = saved;
  });

  return { edge, call, postJson };
}
