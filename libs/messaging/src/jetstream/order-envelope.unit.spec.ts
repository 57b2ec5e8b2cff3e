import { InvalidOrderEnvelopeError, decodeOrder, encodeOrder, orderEnvelopeProblems } from './order-envelope';
import { compareVersions, parseServerVersion } from './assert-nats-server';
import { exponentialBackoff } from './wakeup';
import { headerValue } from './order-headers';
import { connectionConsumerConfig, handlerAttempts } from './connection-consumer';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('order envelope', () => {
  const order = {
    orderId: 'o-1',
    attempt: 1,
    connectionId: 'ldap_main',
    changeType: 'Added',
    attributes: { cn: 'Alice' },
  };

  it('round-trips an order with its extra fields', () => {
    expect(decodeOrder(encodeOrder(order), 'ldap_main')).toEqual({ ok: true, order });
  });

  it('lists every problem of an invalid envelope', () => {
    expect(orderEnvelopeProblems({ orderId: '', attempt: -1, connectionId: 'LDAP' })).toEqual([
      'orderId must be a non-empty string',
      'attempt must be a non-negative integer',
      'connectionId must match [a-z0-9_]+',
    ]);
    expect(orderEnvelopeProblems({ ...order, sequence: -1 })).toEqual([
      'sequence, when present, must be a non-negative integer',
    ]);
    expect(orderEnvelopeProblems({ ...order, sequence: 3 })).toEqual([]);
    expect(orderEnvelopeProblems([])).toEqual(['expected a JSON object, got an array']);
    expect(orderEnvelopeProblems(null)).toEqual(['expected a JSON object, got null']);
    expect(orderEnvelopeProblems({ orderId: 'a b', attempt: 1, connectionId: 'x' })[0]).toMatch(
      /no whitespace/,
    );
  });

  it('refuses to encode an invalid order or one for another connection', () => {
    expect(() => encodeOrder({ ...order, attempt: 1.5 })).toThrow(InvalidOrderEnvelopeError);
    expect(() => encodeOrder(order, 'ad_main')).toThrow(
      'connectionId is ldap_main, but the order was sent for ad_main',
    );
    expect(() => encodeOrder({ ...order, revision: 1n })).toThrow(/not serializable as JSON/);
  });

  it('decodes poison without throwing, keeping the order id when it can', () => {
    expect(decodeOrder(bytes('{not json'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^unparsable order message/),
    });
    expect(decodeOrder(new Uint8Array([0xff, 0xfe]))).toMatchObject({ ok: false });
    expect(decodeOrder(bytes('{"orderId":"o-9","attempt":"1","connectionId":"x"}'))).toEqual({
      ok: false,
      reason: 'invalid order envelope: attempt must be a non-negative integer',
      orderId: 'o-9',
    });
    expect(decodeOrder(bytes(JSON.stringify(order)), 'other')).toMatchObject({ ok: false, orderId: 'o-1' });
  });
});

describe('JetStream helpers', () => {
  it('parses and compares server versions', () => {
    expect(parseServerVersion('2.9.10')).toEqual([2, 9, 10]);
    expect(parseServerVersion('v2.10.0-beta.1')).toEqual([2, 10, 0]);
    expect(parseServerVersion('garbage')).toBeUndefined();
    expect(compareVersions([2, 9, 10], [2, 10, 0])).toBeLessThan(0);
    expect(compareVersions([2, 9, 10], [2, 9, 0])).toBeGreaterThan(0);
    expect(compareVersions([2, 9, 0], [2, 9, 0])).toBe(0);
  });

  it('backs off exponentially up to a cap', () => {
    const delay = exponentialBackoff(100, 1000);
    expect([1, 2, 3, 4, 5, 6].map(delay)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('keeps header values on one short line', () => {
    expect(headerValue('a\r\nb\nc')).toBe('a b c');
    expect(headerValue('x'.repeat(5000))).toHaveLength(1024);
  });

  it('gives the server one delivery more than the handler attempts', () => {
    const config = connectionConsumerConfig('ldap_main', { maxDeliver: 3, ackWaitMs: 1500 });
    expect(config).toMatchObject({
      durable_name: 'prov-orders-ldap_main',
      filter_subject: 'prov.orders.ldap_main',
      max_deliver: 4,
      ack_wait: 1_500_000_000,
    });
    expect(handlerAttempts({ config } as never)).toBe(3);
    expect(() => connectionConsumerConfig('ldap_main', { maxDeliver: 0 })).toThrow(/maxDeliver/);
    expect(() => connectionConsumerConfig('Bad', {})).toThrow(/invalid connection id/);
  });
});
