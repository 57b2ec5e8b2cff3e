import { JetStreamManager, NatsConnection } from 'nats';
import { getEventListeners, getMaxListeners } from 'node:events';
import { ORDERS_STREAM, consumerName, ordersSubject } from '../subjects';
import { OrderHeaders } from './order-headers';
import { OrderConsumer } from './order-consumer';
import { OrderEnvelope } from './order-envelope';
import { OrderContext } from './order-processor';
import { OrderPublisher } from './order-publisher';
import { DeadLetterInfo } from './dead-letter';
import {
  deadLetters,
  eventually,
  order,
  queuedOrders,
  recordingLogger,
  uniqueConnectionId,
} from '../testing/order-queue-helpers';
import { orderQueueBed } from '../testing/order-queue-bed';

jest.setTimeout(30_000);

describe('OrderConsumer on JetStream', () => {
  const bed = orderQueueBed({
    ackWaitMs: 2000,
    maxDeliver: 3,
    retryDelayMs: () => 50,
    pullExpiresMs: 1000,
    stopGraceMs: 2000,
  });
  const startConsumer = bed.startConsumer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: OrderPublisher;

  beforeAll(() => ({ nc, jsm, publisher } = bed));

  it('shares the orders of a connection between two consumers, each order handled once', async () => {
    const connectionId = uniqueConnectionId();
    const handledBy = new Map<string, string[]>();
    const handler = (name: string) => async (o: OrderEnvelope) => {
      handledBy.set(o.orderId, [...(handledBy.get(o.orderId) ?? []), name]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await startConsumer({ connectionId, handler: handler('a'), concurrency: 2 });
    await startConsumer({ connectionId, handler: handler('b'), concurrency: 2 });
    const ids = Array.from({ length: 24 }, (_, i) => order(connectionId, `o-${i}`).orderId);
    for (let i = 0; i < ids.length; i++) await publisher.publish(connectionId, order(connectionId, `o-${i}`));

    await eventually(() => handledBy.size === ids.length, 'all orders handled');
    await eventually(
      async () => (await queuedOrders(jsm, connectionId)) === 0,
      'acked orders removed from the queue',
    );
    expect([...handledBy.values()].every((by) => by.length === 1)).toBe(true);
    const counts = [...handledBy.values()]
      .flat()
      .reduce((acc, by) => acc.set(by, (acc.get(by) ?? 0) + 1), new Map());
    expect(counts.get('a')).toBeGreaterThan(0);
    expect(counts.get('b')).toBeGreaterThan(0);
  });

  it('redelivers a failing order and dead-letters it after maxDeliver attempts', async () => {
    const connectionId = uniqueConnectionId();
    const deliveries: OrderContext[] = [];
    const deadLettered: { order: OrderEnvelope | undefined; reason: string; info: DeadLetterInfo }[] = [];
    await startConsumer({
      connectionId,
      maxDeliver: 3,
      handler: async (_order, ctx) => {
        deliveries.push(ctx);
        throw new Error(`LDAP said no (delivery ${ctx.deliveryCount})`);
      },
      onDeadLetter: (o, reason, info) => void deadLettered.push({ order: o, reason, info }),
    });
    const bad = order(connectionId, 'o-bad', 1, { attributes: { cn: 'x' } });
    await publisher.publish(connectionId, bad);

    await eventually(() => deadLettered.length === 1, 'the dead-letter callback');
    expect(deliveries.map((d) => [d.deliveryCount, d.redelivered, d.maxDeliver])).toEqual([
      [1, false, 3],
      [2, true, 3],
      [3, true, 3],
    ]);
    expect(deadLettered[0].order).toEqual(bad);
    expect(deadLettered[0].reason).toBe(
      'handler failed on all 3 deliveries; last error: LDAP said no (delivery 3)',
    );
    expect(deadLettered[0].info).toMatchObject({
      kind: 'max-deliveries',
      deliveryCount: 3,
      orderId: bad.orderId,
    });

    await eventually(
      async () => (await queuedOrders(jsm, connectionId)) === 0,
      'the order removed from the queue',
    );
    const [letter] = await deadLetters(nc, connectionId);
    expect(letter.json()).toEqual(bad);
    expect(letter.headers?.get(OrderHeaders.DeadLetterKind)).toBe('max-deliveries');
    expect(letter.headers?.get(OrderHeaders.DeadLetterReason)).toContain('LDAP said no (delivery 3)');
    expect(letter.headers?.get(OrderHeaders.OriginalSubject)).toBe(ordersSubject(connectionId));
    expect(letter.headers?.get(OrderHeaders.DeliveryCount)).toBe('3');
  });

  it('dead-letters a poison message at once without calling the handler', async () => {
    const connectionId = uniqueConnectionId();
    const handler = jest.fn(async () => undefined);
    const onDeadLetter = jest.fn();
    await startConsumer({ connectionId, handler, onDeadLetter });
    const js = nc.jetstream();
    await js.publish(
      ordersSubject(connectionId),
      new TextEncoder().encode('{"orderId": "o-7", "attempt": "one"'),
    );
    await js.publish(
      ordersSubject(connectionId),
      new TextEncoder().encode(JSON.stringify({ orderId: 'o-8', attempt: 'one', connectionId })),
    );
    const good = order(connectionId, 'o-good');
    await publisher.publish(connectionId, good);

    await eventually(
      () => onDeadLetter.mock.calls.length === 2 && handler.mock.calls.length === 1,
      'two dead letters and one good order',
    );
    expect(handler).toHaveBeenCalledWith(good, expect.anything());
    const [unparsable, invalid] = onDeadLetter.mock.calls;
    expect(unparsable[0]).toBeUndefined();
    expect(unparsable[1]).toMatch(/^unparsable order message/);
    expect(invalid[1]).toBe('invalid order envelope: attempt must be a non-negative integer');
    expect(invalid[2]).toMatchObject({ kind: 'poison', orderId: 'o-8', deliveryCount: 1 });
    expect(
      (await deadLetters(nc, connectionId)).map((m) => m.headers?.get(OrderHeaders.DeadLetterKind)),
    ).toEqual(['poison', 'poison']);
  });

  it('redelivers an order its consumer stopped without acking to another consumer', async () => {
    const connectionId = uniqueConnectionId();
    let firstSignal: AbortSignal | undefined;
    const stuck = await startConsumer({
      connectionId,
      ackWaitMs: 1000,
      handler: (_order, ctx) => {
        firstSignal = ctx.signal;
        return new Promise<void>(() => undefined); // an agent that hangs in its connector
      },
    });
    await publisher.publish(connectionId, order(connectionId, 'o-hang'));
    await eventually(() => stuck.inFlightCount === 1, 'the first consumer to take the order');
    await stuck.stop({ graceMs: 100 });
    expect(firstSignal?.aborted).toBe(true);

    const received: OrderContext[] = [];
    await startConsumer({
      connectionId,
      ackWaitMs: 1000,
      handler: async (_order, ctx) => void received.push(ctx),
    });
    await eventually(() => received.length === 1, 'the redelivery to the second consumer');
    expect(received[0]).toMatchObject({ deliveryCount: 2, redelivered: true });
    await eventually(
      async () => (await queuedOrders(jsm, connectionId)) === 0,
      'the order acked by the second consumer',
    );
  });

  it('dead-letters an order whose last attempt never finished, without trying it again', async () => {
    const connectionId = uniqueConnectionId();
    const hung = order(connectionId, 'o-last-hangs');
    const dying = await startConsumer({
      connectionId,
      ackWaitMs: 1000,
      maxDeliver: 1,
      handler: () => new Promise<void>(() => undefined),
    });
    await publisher.publish(connectionId, hung);
    await eventually(() => dying.inFlightCount === 1, 'the only attempt to start');
    await dying.stop({ graceMs: 50 });

    const handler = jest.fn(async () => undefined);
    const onDeadLetter = jest.fn();
    await startConsumer({ connectionId, ackWaitMs: 1000, maxDeliver: 1, handler, onDeadLetter });
    await eventually(() => onDeadLetter.mock.calls.length === 1, 'the dead letter of the unfinished order');
    expect(handler).not.toHaveBeenCalled();
    const [deadOrder, reason, info] = onDeadLetter.mock.calls[0];
    expect(deadOrder).toEqual(hung);
    expect(reason).toMatch(/^no result after 1 deliveries/);
    expect(info).toMatchObject({ kind: 'max-deliveries', deliveryCount: 2 });
    await eventually(
      async () => (await queuedOrders(jsm, connectionId)) === 0,
      'the order removed from the queue',
    );
  });

  it('recreates its durable consumer when it was deleted under it', async () => {
    const connectionId = uniqueConnectionId();
    const handled: string[] = [];
    await startConsumer({ connectionId, handler: async (o) => void handled.push(o.orderId) });
    await jsm.consumers.delete(ORDERS_STREAM, consumerName(connectionId));
    const next = order(connectionId, 'o-after-delete');
    await publisher.publish(connectionId, next);
    await eventually(
      () => handled.includes(next.orderId),
      'the order after the consumer was recreated',
      15_000,
    );
    expect((await jsm.consumers.info(ORDERS_STREAM, consumerName(connectionId))).config.max_deliver).toBe(4);
  });

  it('recreates its durable consumer when its pull reached the server after the delete (no answer then)', async () => {
    const connectionId = uniqueConnectionId();
    const handled: string[] = [];
    // The pulls of this connection are held back, as a slow link would, until the delete is done:
    // nats-server 2.9 answers nothing to a pull on a consumer that is gone, not even a 409.
    const connection = await bed.newConnection();
    const held: (() => void)[] = [];
    const publish = connection.publish.bind(connection);
    connection.publish = (subject, payload, options) =>
      subject.startsWith('$JS.API.CONSUMER.MSG.NEXT.')
        ? void held.push(() => publish(subject, payload, options))
        : publish(subject, payload, options);
    await startConsumer({ connectionId, handler: async (o) => void handled.push(o.orderId) }, connection);
    expect(held).toHaveLength(1);
    await jsm.consumers.delete(ORDERS_STREAM, consumerName(connectionId));
    held.splice(0).forEach((send) => send());
    connection.publish = publish;

    const next = order(connectionId, 'o-after-silent-delete');
    await publisher.publish(connectionId, next);
    await eventually(
      () => handled.includes(next.orderId),
      'the order after the consumer was recreated',
      15_000,
    );
  });

  it('keeps a slow order alive beyond the ack wait while its handler works', async () => {
    const connectionId = uniqueConnectionId();
    const deliveries: number[] = [];
    await startConsumer({
      connectionId,
      ackWaitMs: 500,
      concurrency: 2,
      handler: async (_order, ctx) => {
        deliveries.push(ctx.deliveryCount);
        await new Promise((resolve) => setTimeout(resolve, 1600));
      },
    });
    await publisher.publish(connectionId, order(connectionId, 'o-slow'));
    await eventually(async () => (await queuedOrders(jsm, connectionId)) === 0, 'the slow order acked');
    expect(deliveries).toEqual([1]);
  });

  it('holds as many orders as its slots allow without more stop listeners than the signal admits', async () => {
    const connectionId = uniqueConnectionId();
    const slots = 16;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const seen: Array<{ listeners: number; admitted: number }> = [];
    await startConsumer({
      connectionId,
      concurrency: slots,
      handler: async (_order, ctx) => {
        seen.push({
          listeners: getEventListeners(ctx.signal, 'abort').length,
          admitted: getMaxListeners(ctx.signal),
        });
        await released;
      },
    });
    for (let i = 0; i < slots; i++) await publisher.publish(connectionId, order(connectionId, `o-${i}`));
    await eventually(() => seen.length === slots, 'every slot taken');
    release();
    await eventually(async () => (await queuedOrders(jsm, connectionId)) === 0, 'the orders acked');
    // Node warns of a leak once listeners pass what the signal admits (10 unless told).
    expect(Math.max(...seen.map((s) => s.listeners))).toBe(slots);
    expect(seen.every((s) => s.listeners <= s.admitted)).toBe(true);
  });

  it('drains on stop: waits for running handlers, which still ack', async () => {
    const connectionId = uniqueConnectionId();
    let finished = false;
    const consumer = await startConsumer({
      connectionId,
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        finished = true;
      },
    });
    await publisher.publish(connectionId, order(connectionId, 'o-drain'));
    await eventually(() => consumer.inFlightCount === 1, 'the order to be taken');
    await consumer.stop();
    expect(finished).toBe(true);
    expect(consumer.inFlightCount).toBe(0);
    await eventually(async () => (await queuedOrders(jsm, connectionId)) === 0, 'the drained order acked');

    await publisher.publish(connectionId, order(connectionId, 'o-after-stop'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await queuedOrders(jsm, connectionId)).toBe(1);
  });

  it('refuses to start on a connection whose consumer is missing when told not to create it', async () => {
    const consumer = new OrderConsumer(nc, {
      connectionId: uniqueConnectionId(),
      handler: async () => undefined,
      ensureConsumer: false,
      logger: recordingLogger(),
    });
    await expect(consumer.start()).rejects.toThrow(/consumer not found/);
  });
});
