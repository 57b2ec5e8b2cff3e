import { Client } from 'pg';
import {
  type ReceivedSpan,
  type RunningOtlpReceiver,
  type RunningSlapd,
  type RunningSystem,
  startOtlpReceiver,
  startSlapd,
  startSystem,
  waitFor,
} from '@prov/testing';
import { SAMPLE_LDAP_BASE_DN } from './directory-fixture';
import { Flow } from './flow-helpers';

jest.setTimeout(300_000);

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

/** `00-<trace id>-<span id>-<flags>` -> the trace id. */
const traceIdOf = (traceparent: unknown) =>
  /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(String(traceparent))?.[1];

/** The span and its ancestors, up to the root of what was received. */
function lineage(span: ReceivedSpan, all: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(all.map((s) => [s.spanId, s]));
  const chain = [span];
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId))
    chain.push(parent);
  return chain;
}

const logLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map(
      (line) =>
        JSON.parse(line) as {
          message?: { msg?: string; orderId?: string };
          traceId?: string;
          spanId?: string;
        },
    );

/**
 * One trace through the whole engine, as an operator's tracing backend receives it: the services
 * run as processes exporting to a local OTLP/HTTP receiver, an assignment is requested that the
 * agent writes into slapd, and the spans from the HTTP request to the connector call and the
 * report share one trace id with unbroken parent links; the events carry it in their metadata and
 * the log lines written on the way name it.
 */
describe('traces across the bus, end to end', () => {
  let slapd: RunningSlapd;
  let receiver: RunningOtlpReceiver;
  let system: RunningSystem;
  let flow: Flow;
  let db: Client;

  beforeAll(async () => {
    [slapd, receiver] = await Promise.all([startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN }), startOtlpReceiver()]);
    system = await startSystem({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200' },
      serviceEnv: { agent: { CORP_LDAP_URL: slapd.url, CORP_LDAP_PASSWORD: slapd.servicePassword } },
    });
    flow = new Flow(system);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
    await Promise.all([slapd?.stop(), receiver?.stop()]);
  });

  it('follows a request from the gateway through requests, orders, the agent and its LDAP call to the report', async () => {
    const identityId = await flow.identity('tr');
    const assignmentId = await flow.request(identityId, 'ldap_staff');
    await flow.waitForState(assignmentId, 'Executed', 60_000);

    // Every event of the assignment holds the trace it was written in (ADR 0023), one trace from request to report.
    const { rows } = await db.query<{ event_type: string; metadata: Record<string, unknown> }>(
      'SELECT event_type, metadata FROM es.events WHERE stream_name = $1 ORDER BY stream_revision',
      [`assignment-${assignmentId}`],
    );
    expect(rows.map((row) => row.event_type)).toEqual(
      expect.arrayContaining([
        'AssignmentRequested',
        'ProvisioningOrderGenerated',
        'ProvisioningOrderExecuted',
      ]),
    );
    const traceId = traceIdOf(rows[0].metadata.traceparent)!;
    expect(traceId).toBeDefined();
    expect(
      rows.map((row) => ({ type: row.event_type, traceId: traceIdOf(row.metadata.traceparent) })),
    ).toEqual(rows.map((row) => ({ type: row.event_type, traceId })));

    const inTrace = () => receiver.spans().filter((span) => span.traceId === traceId);
    const spans = await waitFor(inTrace, {
      // Every hop up from the connector call must have arrived: a consumer span ends (and is
      // exported) after the spans inside it, possibly in a later batch.
      until: (received) =>
        received.some(
          (s) =>
            s.name === 'connector apply' && lineage(s, received).at(-1)?.name === 'POST /api/assignments',
        ) &&
        received.some((s) => s.service === 'prov-orders' && s.name === 'record order report') &&
        received.some(
          (s) =>
            s.name === 'append assignment' &&
            s.service === 'prov-orders' &&
            String(s.attributes['prov.event.types']).includes('ProvisioningOrderExecuted'),
        ),
      timeoutMs: 30_000,
      description: `the spans of trace ${traceId} down to the report`,
    });
    expect(receiver.rejected()).toEqual([]);

    // From the connector call up to the root: every hop of the chain, with the service that made it.
    const connectorCall = spans.find((s) => s.name === 'connector apply')!;
    expect(connectorCall).toMatchObject({
      service: 'prov-agent',
      kind: CLIENT,
      attributes: {
        'prov.connection.id': 'corp_ldap',
        'prov.connector.operation': 'apply',
        'prov.order.change_type': 'Added',
      },
    });
    const hops = lineage(connectorCall, spans).map((s) => ({
      service: s.service,
      name: s.name,
      kind: s.kind,
    }));
    expect(hops[0]).toEqual({ service: 'prov-agent', name: 'connector apply', kind: CLIENT });
    expect(hops[1]).toEqual({ service: 'prov-agent', name: 'process prov.orders.corp_ldap', kind: CONSUMER });
    expect(hops[2]).toEqual({
      service: 'prov-orders',
      name: 'publish prov.orders.corp_ldap',
      kind: PRODUCER,
    });
    // Order generation sends the order it has just appended (ADR 0044): the dispatch reaction only
    // sends what generation could not.
    expect(hops[3]).toEqual({
      service: 'prov-orders',
      name: 'react orders.order-generation AssignmentRequested',
      kind: CONSUMER,
    });
    expect(hops).toContainEqual({
      service: 'prov-requests',
      name: 'process prov.cmd.requests.request-assignment',
      kind: SERVER,
    });
    expect(hops.at(-2)).toEqual({
      service: 'prov-gateway',
      name: 'send prov.cmd.requests.request-assignment',
      kind: CLIENT,
    });
    expect(hops.at(-1)).toEqual({ service: 'prov-gateway', name: 'POST /api/assignments', kind: SERVER });
    const root = lineage(connectorCall, spans).at(-1)!;
    expect(root).toMatchObject({
      parentSpanId: '',
      attributes: { 'http.route': '/api/assignments', 'http.response.status_code': 202 },
    });
    // The services in the order the change went through them, each hop a child of the one before.
    expect([...new Set(hops.map((h) => h.service))].reverse()).toEqual([
      'prov-gateway',
      'prov-requests',
      'prov-orders',
      'prov-agent',
    ]);

    // The report back: it goes in a batch with the reports of other orders (ADR 0054), and its
    // item continues the order's trace, and `orders` stores the result in it.
    const report = spans.find((s) => s.service === 'prov-orders' && s.name === 'record order report')!;
    const reportHops = lineage(report, spans).map((s) => s.name);
    expect(reportHops.slice(0, 3)).toEqual([
      'record order report',
      'create prov.cmd.orders.report-batch',
      'process prov.orders.corp_ldap',
    ]);
    expect(reportHops.at(-1)).toBe('POST /api/assignments');

    // Log lines written inside the trace name it, in the one JSON shape of every service.
    const dispatched = logLines(system.logs('orders')).find(
      (l) => l.message?.msg === 'order dispatched' && l.traceId === traceId,
    );
    const reported = logLines(system.logs('agent')).find(
      (l) => l.message?.msg === 'order reported' && l.traceId === traceId,
    );
    expect(dispatched?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(reported?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spans.map((s) => s.spanId)).toEqual(
      expect.arrayContaining([dispatched!.spanId, reported!.spanId]),
    );
  });
});
