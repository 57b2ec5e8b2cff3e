import { headers as natsHeaders, type NatsConnection } from 'nats';
import { ENGINE_COMMAND_SENDERS, mayIssue, ORDERS_DLQ_STREAM, ordersSubject } from '@prov/messaging';
import { type RunningSystem, type ServiceInstance, startSystem, waitFor } from '@prov/testing';
import { connectAs, rawCommand } from './bus-client';
import { Flow } from './flow-helpers';

jest.setTimeout(300_000);

const SERVICES: ServiceInstance[] = ['gateway', 'requests', 'review', 'orders', 'agent', 'projector'];

/**
 * Every command subject the services answer (their @MessagePattern): the subjects of the table the
 * bus permissions and the signature check are made from (ADR 0010).
 */
/** A connection of the sample role model the agent serves: commands about one connection name it last. */
const SAMPLE_CONNECTION = 'hr_app';
const COMMAND_SUBJECTS = Object.keys(ENGINE_COMMAND_SENDERS).map((subject) =>
  subject.replace(/\.\*$/, `.${SAMPLE_CONNECTION}`),
);

const encoder = new TextEncoder();
const MALFORMED_BODIES: Uint8Array[] = [
  encoder.encode('{"broken":'),
  encoder.encode('not json at all'),
  encoder.encode('null'),
  encoder.encode('[1,2,3]'),
  encoder.encode(''),
  new Uint8Array([0xff, 0xfe, 0xfd, 0x00]),
  encoder.encode(`{"id":"deep","pattern":"x","data":${'['.repeat(5000)}${']'.repeat(5000)}}`),
  encoder.encode(
    '{"id":"nul","pattern":"x","data":{"identityId":"a\\u0000b","entitlementId":"hr_app_reader"}}',
  ),
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
  const connections = new Map<string, NatsConnection>();

  /**
   * A raw connection with the credentials of `identity` (`orders-js`: the orders service's
   * JetStream user). The bus admits only the services: the attacker is a compromised one.
   */
  async function as(identity: string): Promise<NatsConnection> {
    let nc = connections.get(identity);
    if (!nc) {
      const jetstream = identity.endsWith('-js');
      nc = await connectAs(system.natsUrl, system.bus.identities[identity.replace(/-js$/, '')], jetstream);
      connections.set(identity, nc);
    }
    return nc;
  }

  /** The identities whose kind the table allows to send on `subject` (at least one). */
  function sendersOf(subject: string): string[] {
    const senders = Object.keys(system.bus.identities).filter((identity) =>
      mayIssue(ENGINE_COMMAND_SENDERS, identity, subject),
    );
    expect({ subject, senders: senders.length > 0 }).toEqual({ subject, senders: true });
    return senders;
  }

  beforeAll(async () => {
    system = await startSystem({ postgres: 'dedicated' });
    flow = new Flow(system);
  });

  afterAll(async () => {
    await Promise.all([...connections.values()].map((nc) => nc.close().catch(() => undefined)));
    await system?.stop();
  });

  async function expectEverythingAlive(): Promise<void> {
    for (const service of SERVICES)
      expect({ service, running: system.isRunning(service) }).toEqual({ service, running: true });
    expect((await system.api.get('/api/health')).status).toBe(200);
    const assignmentId = await flow.request(await flow.identity('alive'), 'hr_app_reader');
    await flow.waitForState(assignmentId, 'Executed', 30_000);
  }

  it('answers malformed HTTP requests with 4xx naming the field', async () => {
    const requester = flow.requester;
    const raw = (path: string, body: string, type = 'application/json') =>
      requester.post(path, { body, headers: { 'content-type': type } });
    const cases = [
      ['NUL in a path segment', await requester.get('/api/identities/a%00b'), 400],
      ['NUL in a query', await requester.get('/api/assignments?identityId=a%00b'), 400],
      [
        'NUL in a body field',
        await requester.post('/api/assignments', {
          body: { identityId: 'a\u0000b', entitlementId: 'hr_app_reader' },
        }),
        400,
      ],
      [
        'a body over 100 kB',
        await raw(
          '/api/assignments',
          JSON.stringify({ identityId: 'x', entitlementId: 'y', comment: 'x'.repeat(110_000) }),
        ),
        413,
      ],
      [
        'charset=latin1',
        await raw('/api/assignments', '{"identityId":"x"}', 'application/json; charset=latin1'),
        415,
      ],
      [
        'an array nested 5,000 deep',
        await raw('/api/assignments', `{"identityId":${'['.repeat(5000)}${']'.repeat(5000)}}`),
        400,
      ],
      [
        'an out-of-range audit cursor',
        await flow.reviewer.get(`/api/audit/events?after=${'9'.repeat(20)}:${'9'.repeat(20)}`),
        400,
      ],
      [
        'a lone surrogate',
        await raw(
          '/api/assignments',
          '{"identityId":"x","entitlementId":"hr_app_reader","comment":"\\ud800"}',
        ),
        400,
      ],
    ] as const;
    for (const [what, response, status] of cases) {
      expect({ what, status: response.status }).toEqual({ what, status });
      expect(response.body).toMatchObject({
        statusCode: status,
        code: expect.any(String),
        message: expect.any(String),
      });
    }
    expect((await requester.get('/api/identities/a%00b')).body.details).toEqual([
      expect.objectContaining({ field: 'path', rule: 'noNulCharacter' }),
    ]);
    await expectEverythingAlive();
  });

  it('survives raw malformed messages on every command subject and in the order queue', async () => {
    for (const subject of COMMAND_SUBJECTS) {
      // As every identity the table lets send it, so the bus lets the messages through.
      for (const sender of sendersOf(subject)) {
        const nc = await as(sender);
        for (const body of MALFORMED_BODIES) {
          // With a reply subject: the sender hears a 400; without one: only the service's log line.
          const reply = await nc.request(subject, body, { timeout: 5000 });
          const packet = JSON.parse(new TextDecoder().decode(reply.data));
          expect({ subject, sender, status: packet.err?.status }).toEqual({ subject, sender, status: 400 });
          nc.publish(subject, body);
        }
        // A well-formed command gets past the parser to the signature check, which refuses it unsigned.
        const unsigned = await rawCommand(nc, subject, { comment: 'unsigned' });
        expect({ subject, sender, err: unsigned.err }).toMatchObject({
          subject,
          sender,
          err: { code: 'CommandRefused', status: 401, details: { reason: 'unsigned' } },
        });
        await nc.flush();
      }
    }
    // A poison order on the agent's work queue is dead-lettered, not retried for ever or fatal.
    // Only the orders service's JetStream user may publish orders and read the streams.
    const ordersJs = await as('orders-js');
    const poison = natsHeaders();
    poison.set('Nats-Msg-Id', `poison-${Date.now()}`);
    await ordersJs
      .jetstream()
      .publish(ordersSubject('hr_app'), encoder.encode('{"broken":'), { headers: poison });
    const jsm = await ordersJs.jetstreamManager();
    await waitFor(() => jsm.streams.info(ORDERS_DLQ_STREAM), {
      until: (info) => info.state.messages >= 1,
      timeoutMs: 30_000,
      description: 'the poison order to be dead-lettered',
    });
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
    await waitFor(() => system.api.get('/api/health'), {
      until: (r) => r.status === 200,
      timeoutMs: 60_000,
      description: 'health after PostgreSQL',
    });
    await expectEverythingAlive();
  });
});
