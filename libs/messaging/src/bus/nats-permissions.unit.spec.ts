import { type BusUser, natsPermissions, natsServerConfiguration } from './nats-permissions';

const users: BusUser[] = [
  { identity: 'gateway', nkey: 'UGATEWAY' },
  { identity: 'orders', nkey: 'UORDERS' },
  { identity: 'orders-js', nkey: 'UORDERSJS', jetstream: true },
  { identity: 'review', nkey: 'UREVIEW' },
  { identity: 'agent', nkey: 'UAGENT', connections: ['hr_app', 'corp_ldap'] },
  { identity: 'agent-ldap', nkey: 'UAGENTLDAP', connections: ['corp_ldap'] },
];
const of = (identity: string) =>
  natsPermissions(
    users.find((u) => u.identity === identity)!,
    users,
  );

describe('NATS permissions of the bus', () => {
  it('lets the gateway send the commands it may send, and read only its own replies', () => {
    const gateway = of('gateway');
    expect(gateway.publish).toContain('prov.cmd.review.approve');
    expect(gateway.publish).not.toContain('prov.cmd.orders.report');
    expect(gateway.publish.some((s) => s.startsWith('prov.orders') || s.startsWith('$JS'))).toBe(false);
    expect(gateway.subscribe).toEqual(['_INBOX.gateway.>']);
  });

  it('gives a handler its commands in its queue group, and replies only to its callers', () => {
    expect(of('review')).toEqual({
      publish: ['_INBOX.gateway.>'],
      subscribe: ['_INBOX.review.>', 'prov.cmd.review.> prov-review'],
    });
    const orders = of('orders');
    expect(orders.subscribe).toEqual([
      '_INBOX.orders.>',
      'prov.cmd.orders.> prov-orders',
      'prov.cmd.sync.> prov-orders',
    ]);
    expect(orders.publish).toEqual([
      'prov.cmd.requests.settle-identities',
      'prov.cmd.agent.synchronize.*',
      '_INBOX.gateway.>',
      '_INBOX.agent.>',
      '_INBOX.agent-ldap.>',
    ]);
  });

  it('keeps the orders and the stream rights on the JetStream user of orders, which answers no command', () => {
    const js = of('orders-js');
    expect(js.publish).toContain('prov.orders.>');
    expect(js.publish).toContain('$JS.API.STREAM.CREATE.PROV_ORDERS');
    expect(js.publish).toContain('$JS.API.STREAM.MSG.GET.PROV_ORDERS');
    expect(js.publish).not.toContain('$JS.API.STREAM.MSG.GET.PROV_ORDERS_DLQ');
    expect(js.subscribe).toEqual(['_INBOX.orders-js.>']);
  });

  it("confines an agent to its connections' consumers and its reports", () => {
    const agent = of('agent-ldap');
    expect(agent.publish).toEqual([
      'prov.cmd.orders.report',
      'prov.cmd.orders.report-batch',
      'prov.cmd.sync.report',
      'prov.cmd.sync.report-page',
      '_INBOX.gateway.>',
      '_INBOX.orders.>',
      '$JS.API.INFO',
      '$JS.API.CONSUMER.INFO.PROV_ORDERS.prov-orders-corp_ldap',
      '$JS.API.CONSUMER.CREATE.PROV_ORDERS.prov-orders-corp_ldap.prov.orders.corp_ldap',
      '$JS.API.CONSUMER.MSG.NEXT.PROV_ORDERS.prov-orders-corp_ldap',
      '$JS.ACK.PROV_ORDERS.prov-orders-corp_ldap.>',
      'prov.dlq.orders.corp_ldap',
    ]);
    // Commands about a connection reach only the agents that serve it.
    expect(agent.subscribe).toEqual(['_INBOX.agent-ldap.>', 'prov.cmd.agent.*.corp_ldap prov-agent']);
    expect(JSON.stringify(agent)).not.toContain('hr_app');
  });

  it('writes a configuration without anonymous access or allow_responses', () => {
    const text = natsServerConfiguration({
      users: [...users, { identity: 'projector', nkey: '$PROJECTOR_NKEY' }],
    });
    expect(text).toContain('{ nkey: "UGATEWAY", permissions: {');
    expect(text).toContain('{ nkey: $PROJECTOR_NKEY, permissions: {');
    expect(text).not.toMatch(/no_auth_user|allow_responses/);
  });
});
