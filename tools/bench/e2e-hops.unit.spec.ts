import type { ReceivedSpan } from '@prov/testing';
import { eventHops, formatHops, type OrderTimes, sentToExecuted, traceHops } from './e2e-hops';

const order: OrderTimes = {
  assignmentId: 'a1',
  requested: 1_000,
  generating: 1_012,
  generated: 1_030,
  reported: 1_130,
  executed: 1_135,
  connectorMs: 40,
};

const span = (name: string, startMs: number, endMs: number, traceId = 't1'): ReceivedSpan => ({
  service: 'prov-x',
  traceId,
  spanId: name,
  parentSpanId: '',
  name,
  kind: 1,
  attributes: {},
  statusCode: 0,
  startMs,
  endMs,
});

describe('the hop-by-hop latency of the end-to-end bench', () => {
  it('splits an order into consecutive hops from its events, the send time and the read model', () => {
    const hops = eventHops([order], new Map([['a1', 990]]), new Map([['a1', 1_150]]));
    const value = (hop: string) => hops.find((h) => h.hop === hop)?.values;
    expect(value('sent → requested')).toEqual([10]);
    expect(value('requested → generating')).toEqual([12]);
    expect(value('generating → generated')).toEqual([18]);
    // 100 ms between generated and reported, of which the connector call took 40.
    expect(value('generated → reported, less the connector call')).toEqual([60]);
    expect(value('connector call')).toEqual([40]);
    expect(value('reported → executed')).toEqual([5]);
    expect(value('executed → shown')).toEqual([15]);
    expect(value('requested → executed (the run’s latency)')).toEqual([135]);
    expect(value('sent → executed (the sustained verdict’s)')).toEqual([145]);
    expect(value('sent → shown')).toEqual([160]);
  });

  it('judges the sustained run from the sending, the edge included, and only orders Executed', () => {
    const sentAt = new Map([
      ['a1', 990],
      ['a2', 995],
    ]);
    expect(sentToExecuted([order, { assignmentId: 'a2', requested: 1_000 }], sentAt)).toEqual([145]);
  });

  it('leaves out the hops of an order it has no time for', () => {
    const hops = eventHops([{ assignmentId: 'a2', requested: 1_000 }]);
    expect(hops.every((h) => h.values.length === 0)).toBe(true);
  });

  it('splits generated → reported by the spans of the publish, the agent and the report', () => {
    const spans = [
      span('publish prov.orders.corp_ldap', 100, 104),
      span('process prov.orders.corp_ldap', 110, 200),
      span('connector apply', 112, 150),
      span('create prov.cmd.orders.report-batch', 151, 190),
      span('record order report', 160, 185),
      // Another trace without a report (still on its way) is left out.
      span('publish prov.orders.corp_ldap', 300, 301, 't2'),
    ];
    const hops = Object.fromEntries(traceHops(spans).map((h) => [h.hop, h.values]));
    expect(hops).toEqual({
      'publish (until JetStream’s ack)': [4],
      'publish → agent starts': [10],
      'agent starts → connector call': [2],
      'connector call (span)': [38],
      'connector done → report sent': [1],
      'report sent → orders records it': [9],
      'orders records the report': [25],
    });
  });

  it('prints p50, p99 and max of each hop it has values for', () => {
    const text = formatHops('run', [
      { hop: 'a', values: [3, 1, 2] },
      { hop: 'b', values: [] },
    ]);
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toMatch(/a +p50 +2 +p99 +3 +max +3 ms +\(3\)/);
  });
});
