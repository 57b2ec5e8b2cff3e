import { createServer } from 'node:net';
import {
  freePort,
  type RunningPrometheus,
  type RunningSystem,
  SERVICE_APPS,
  startPrometheus,
  startSystem,
  waitFor,
} from '@prov/testing';
import { Flow } from './flow-helpers';
import { writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(240_000);

type App = (typeof SERVICE_APPS)[number];

const get = async (url: string) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
};

/**
 * What an operator sees of a running engine: every service's liveness, readiness and metrics on
 * its own port (HEALTH_PORT), the gateway's report of them, Debian's Prometheus scraping them,
 * and readiness turning false while a service drains or cannot reach NATS. One system for all.
 */
describe('health, readiness and metrics, end to end', () => {
  let system: RunningSystem;
  let prometheus: RunningPrometheus;
  let flow: Flow;
  const ports = {} as Record<App, number>;
  const health = (app: App, path: string) => get(`http://127.0.0.1:${ports[app]}${path}`);

  beforeAll(async () => {
    for (const app of SERVICE_APPS) ports[app] = await freePort();
    const peers = SERVICE_APPS.filter((app) => app !== 'gateway').map(
      (app) => `${app}=http://127.0.0.1:${ports[app]}`,
    );
    system = await startSystem({
      roleModel: writeFastRoleModel(),
      serviceEnv: {
        ...Object.fromEntries(SERVICE_APPS.map((app) => [app, { HEALTH_PORT: String(ports[app]) }])),
        gateway: { HEALTH_PORT: String(ports.gateway), HEALTH_PEERS: peers.join(',') },
        // Long enough a drain to watch readiness while it lasts.
        review: { HEALTH_PORT: String(ports.review), COMMAND_GRACE_PERIOD_MS: '4000' },
      },
    });
    flow = new Flow(system);
    prometheus = await startPrometheus(
      Object.fromEntries(SERVICE_APPS.map((app) => [app, `127.0.0.1:${ports[app]}`])),
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    await system?.stop();
  });

  it('every service is live and ready on its own port, and the gateway reports the others', async () => {
    for (const app of SERVICE_APPS) {
      expect({ app, live: (await health(app, '/health/live')).status }).toEqual({ app, live: 200 });
      const ready = await waitFor(() => health(app, '/health/ready'), {
        until: (r) => r.status === 200,
        timeoutMs: 30_000,
        description: `${app} ready`,
      });
      expect(ready.json()).toMatchObject({ status: 'ok', info: { draining: { status: 'up' } } });
    }
    expect((await health('projector', '/health/ready')).json()).toMatchObject({
      info: { commands: { status: 'up' }, database: { status: 'up' } },
    });
    const report = await waitFor(() => system.api.get('/api/health'), {
      until: (r) =>
        Object.values((r.body as { services?: Record<string, { status: string }> }).services ?? {}).filter(
          (s) => s.status === 'up',
        ).length === 5,
      timeoutMs: 30_000,
      description: '/api/health to report the five other services up',
    });
    expect(Object.keys((report.body as { services: object }).services).sort()).toEqual([
      'agent',
      'orders',
      'projector',
      'requests',
      'review',
    ]);
  });

  it('Prometheus scrapes every service and finds the orders, their transitions, the connector calls and the lags', async () => {
    const assignmentId = await flow.request(await flow.identity('metrics'), 'hr_app_reader');
    await flow.waitForState(assignmentId, 'Executed');
    const series = async (expression: string) =>
      waitFor(() => prometheus.query(expression), {
        until: (r) => r.length > 0,
        timeoutMs: 60_000,
        intervalMs: 500,
        description: `prometheus: ${expression}`,
      });
    const up = await waitFor(() => prometheus.query('up == 1'), {
      until: (r) => r.length === 6,
      timeoutMs: 60_000,
      intervalMs: 500,
      description: 'all six targets up',
    });
    expect(up.map((r) => r.metric.job).sort()).toEqual([...SERVICE_APPS].sort());
    expect(
      Number((await series('sum(prov_order_transitions_total{event="Executed"})'))[0].value[1]),
    ).toBeGreaterThanOrEqual(1);
    const executed = await series('prov_orders{state="Executed"}');
    expect(executed[0].metric).toMatchObject({ job: 'projector', service: 'projector' });
    expect((await series('prov_connector_call_duration_seconds_count{outcome="ok"}'))[0].metric.job).toBe(
      'agent',
    );
    expect((await series('prov_order_queue_depth'))[0].metric.connection).toBeTruthy();
    expect((await series('prov_subscription_lag_events{kind="projection"}')).length).toBeGreaterThanOrEqual(
      1,
    );
    expect(
      (await series('prov_http_request_duration_seconds_count{route="/api/assignments",method="POST"}'))[0]
        .metric.status,
    ).toBe('202');
    expect((await series('prov_event_store_append_duration_seconds_count')).length).toBeGreaterThanOrEqual(2);
    expect((await series('prov_process_resident_memory_bytes')).length).toBe(6);
  });

  it('a service is not ready while it drains after SIGTERM', async () => {
    const stopped = system.kill('review', 'SIGTERM');
    const draining = await waitFor(() => health('review', '/health/ready'), {
      until: (r) => r.status === 503,
      timeoutMs: 10_000,
      intervalMs: 100,
      description: 'review not ready while draining',
    });
    expect(draining.json()).toMatchObject({ status: 'error', error: { draining: { status: 'down' } } });
    await stopped;
    await system.start('review');
    await waitFor(() => health('review', '/health/ready'), {
      until: (r) => r.status === 200,
      timeoutMs: 30_000,
      description: 'review ready again',
    });
  });

  it('a service whose health port is taken does not count as started, and says why', async () => {
    await system.kill('review', 'SIGTERM');
    // Drops what connects (Prometheus and the gateway keep polling the port), so close() can end.
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      squatter.once('error', reject);
      squatter.listen(ports.review, '127.0.0.1', () => resolve());
    });
    try {
      await expect(system.start('review')).rejects.toThrow(
        /review exited \(1\) during start-up[\s\S]*EADDRINUSE/,
      );
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
    await system.start('review');
    await waitFor(() => health('review', '/health/ready'), {
      until: (r) => r.status === 200,
      timeoutMs: 30_000,
      description: 'review ready on its own port again',
    });
  });

  it('readiness is false while NATS is away and true again once it is back', async () => {
    const restart = system.restartNats(5000);
    const down = await waitFor(() => health('requests', '/health/ready'), {
      until: (r) => r.status === 503,
      timeoutMs: 10_000,
      intervalMs: 200,
      description: 'requests not ready without NATS',
    });
    expect(down.json()).toMatchObject({ error: { commands: { status: 'down' } } });
    await restart;
    for (const app of SERVICE_APPS) {
      await waitFor(() => health(app, '/health/ready'), {
        until: (r) => r.status === 200,
        timeoutMs: 60_000,
        description: `${app} ready after NATS came back`,
      });
    }
  });
});
