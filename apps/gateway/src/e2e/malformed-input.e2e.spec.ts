import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { commandSubject, ORDERS_DLQ_STREAM, ordersSubject } from '@prov/messaging';
import { type RunningSystem, type ServiceInstance, startSystem, waitFor } from '@prov/testing';
import { Flow } from './flow-helpers';

jest.setTimeout(300_000);

const SERVICES: ServiceInstance[] = ['gateway', 'requests', 'review', 'orders', 'agent', 'projector'];

/** Every command subject a service answers (their @MessagePattern), as the services define them. */
const COMMAND_SUBJECTS = [
  ['requests', 'register-identity'],
  ['requests', 'request-assignment'],
  ['requests', 'revoke-assignment'],
  ['review', 'approve'],
  ['review', 'confirm'],
  ['review', 'decline'],
  ['review', 'postpone'],
  ['review', 'report-error'],
  ['review', 'retry'],
  ['orders', 'report'],
  ['orders', 'start-complete-job'],
  ['sync', 'report'],
  ['agent', 'synchronize'],
  ['agent', 'test-connection'],
  ['projector', 'replay'],
].map(([service, command]) => commandSubject(service, command));

const encoder = new TextEncoder();
const MALFORMED_BODIES: Uint8Array[] = [
  encoder.encode('{"broken":'),
  encoder.encode('not json at all'),
  encoder.encode('null'),
  encoder.encode('[1,2,3]'),
  encoder.encode(''),
  new Uint8Array([0xff, 0xfe, 0xfd, 0x00]),
  encoder.encode(`{"id":"deep","pattern":"x","data":${'['.repeat(5000)}${']'.repeat(5000)}}`),
  encoder.encode('{"id":"nul","pattern":"x","data":{"identityId":"a\\u0000b","entitlementId":"hr_app_reader"}}'),
  encoder.encode('{"pattern":"x","data":{"comment":"no id: would run as an event"}}'),
];

/**
 * The whole engine as processes, fed the inputs that used to answer 500 or stop a service: every
 * one is now a 4xx (or a rejected message with a log line), and every service is alive and
 * working afterwards. With PostgreSQL down, reads answer 503 with Retry-After.
 */
describe('malformed input at every edge', () => {
  let system: RunningSystem;
  let flow: Flow;
  let nc: NatsConnection;

  beforeAll(async () => {
    system = await startSystem({ postgres: 'dedicated' });
    flow = new Flow(system);
    nc = await connect({ servers: system.natsUrl });
  });

  afterAll(async () => {
    await nc?.close();
    await system?.stop();
  });

  async function expectEverythingAlive(): Promise<void> {
    for (const service of SERVICES) expect({ service, running: system.isRunning(service) }).toEqual({ service, running: true });
    expect((await system.api.get('/api/health')).status).toBe(200);
    const assignmentId = await flow.request(await flow.identity('alive'), 'hr_app_reader');
    await flow.waitForState(assignmentId, 'Executed', 30_000);
  }

  it('answers malformed HTTP requests with 4xx naming the field', async () => {
    const requester = flow.requester;
    const raw = (path: string, body: string, type = 'application/json') => requester.post(path, { body, headers: { 'content-type': type } });
    const cases = [
      ['NUL in a path segment', await requester.get('/api/identities/a%00b'), 400],
      ['NUL in a query', await requester.get('/api/assignments?identityId=a%00b'), 400],
      ['NUL in a body field', await requester.post('/api/assignments', { body: { identityId: 'a\u0000b', entitlementId: 'hr_app_reader' } }), 400],
      ['a body over 100 kB', await raw('/api/assignments', JSON.stringify({ identityId: 'x', entitlementId: 'y', comment: 'x'.repeat(110_000) })), 413],
      ['charset=latin1', await raw('/api/assignments', '{"identityId":"x"}', 'application/json; charset=latin1'), 415],
      ['an array nested 5,000 deep', await raw('/api/assignments', `{"identityId":${'['.repeat(5000)}${']'.repeat(5000)}}`), 400],
      ['an out-of-range audit cursor', await flow.reviewer.get(`/api/audit/events?after=${'9'.repeat(20)}:${'9'.repeat(20)}`), 400],
      ['a lone surrogate', await raw('/api/assignments', '{"identityId":"x","entitlementId":"hr_app_reader","comment":"\\ud800"}'), 400],
    ] as const;
    for (const [what, response, status] of cases) {
      expect({ what, status: response.status }).toEqual({ what, status });
      expect(response.body).toMatchObject({ statusCode: status, code: expect.any(String), message: expect.any(String) });
    }
    expect((await requester.get('/api/identities/a%00b')).body.details).toEqual([expect.objectContaining({ field: 'path', rule: 'noNulCharacter' })]);
    await expectEverythingAlive();
  });

  it('survives raw malformed messages on every command subject and in the order queue', async () => {
    for (const subject of COMMAND_SUBJECTS) {
      for (const body of MALFORMED_BODIES) {
        // With a reply subject: the sender hears a 400; without one: only the service's log line.
        const reply = await nc.request(subject, body, { timeout: 5000 });
        const packet = JSON.parse(new TextDecoder().decode(reply.data));
        expect({ subject, status: packet.err?.status }).toEqual({ subject, status: 400 });
        nc.publish(subject, body);
      }
    }
    // A poison order on the agent's work queue is dead-lettered, not retried for ever or fatal.
    const js = nc.jetstream();
    const poison = natsHeaders();
    poison.set('Nats-Msg-Id', `poison-${Date.now()}`);
    await js.publish(ordersSubject('hr_app'), encoder.encode('{"broken":'), { headers: poison });
    const jsm = await nc.jetstreamManager();
    await waitFor(() => jsm.streams.info(ORDERS_DLQ_STREAM), { until: (info) => info.state.messages >= 1, timeoutMs: 30_000, description: 'the poison order to be dead-lettered' });
    await nc.flush();
    expect(system.logs('requests')).toMatch(/malformed command rejected/);
    await expectEverythingAlive();
  });

  it('answers 503 with Retry-After while PostgreSQL is down, and works again once it is back', async () => {
    const restarting = system.restartPostgres(8000);
    const down = await waitFor(() => flow.requester.get('/api/assignments?limit=1', { timeoutMs: 15_000 }), {
      until: (response) => response.status === 503,
      timeoutMs: 30_000,
      intervalMs: 250,
      description: 'a read to answer 503',
    });
    expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(down.body).toMatchObject({ code: 'DatabaseUnavailable' });
    await restarting;
    await waitFor(() => system.api.get('/api/health'), { until: (r) => r.status === 200, timeoutMs: 60_000, description: 'health after PostgreSQL' });
    await expectEverythingAlive();
  });
});
