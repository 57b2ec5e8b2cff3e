import { JetStreamManager, NatsConnection, RetentionPolicy, connect } from 'nats';
import { testNatsUrl } from '@prov/testing';
import { ORDERS_DLQ_STREAM, ORDERS_STREAM, consumerName, ordersSubject } from '../subjects';
import { ensureConnectionConsumer } from './connection-consumer';
import { InvalidOrderEnvelopeError } from './order-envelope';
import { OrderPublisher } from './order-publisher';
import { oldestQueuedOrderAt } from './order-queue-age';
import { ensureOrdersStreams } from './orders-streams';
import { order, queuedOrders, uniqueConnectionId } from '../testing/order-queue-helpers';

jest.setTimeout(30_000);

describe('orders streams, consumers and publishing', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: OrderPublisher;

  beforeAll(async () => {
    nc = await connect({ servers: testNatsUrl() });
    jsm = await nc.jetstreamManager();
    await ensureOrdersStreams(jsm);
    publisher = new OrderPublisher(nc.jetstream());
  });

  afterAll(async () => {
    await nc?.close();
  });

  it('creates the streams once and leaves them alone on the next call', async () => {
    const first = await ensureOrdersStreams(jsm);
    const second = await ensureOrdersStreams(jsm);
    expect(second.orders.created).toEqual(first.orders.created);
    expect(second.orders.config).toMatchObject({
      name: ORDERS_STREAM,
      retention: RetentionPolicy.Workqueue,
      subjects: ['prov.orders.*'],
      duplicate_window: 120_000_000_000,
    });
    expect(second.deadLetters.config).toMatchObject({
      name: ORDERS_DLQ_STREAM,
      retention: RetentionPolicy.Limits,
      subjects: ['prov.dlq.orders.*'],
    });
  });

  it('creates the durable pull consumer of a connection idempotently and updates its limits', async () => {
    const connectionId = uniqueConnectionId();
    const created = await ensureConnectionConsumer(jsm, connectionId, { ackWaitMs: 1000, maxDeliver: 2 });
    const again = await ensureConnectionConsumer(jsm, connectionId, { ackWaitMs: 1000, maxDeliver: 2 });
    expect(again.created).toEqual(created.created);
    expect(again.config).toMatchObject({
      durable_name: consumerName(connectionId),
      filter_subject: ordersSubject(connectionId),
      ack_policy: 'explicit',
      max_deliver: 3,
    });
    const updated = await ensureConnectionConsumer(jsm, connectionId, { ackWaitMs: 5000, maxDeliver: 4 });
    expect(updated.config).toMatchObject({ ack_wait: 5_000_000_000, max_deliver: 5 });
  });

  it('stores an attempt of an order once, however often it is published', async () => {
    const connectionId = uniqueConnectionId();
    const o1 = order(connectionId, 'o-1');
    const first = await publisher.publish(connectionId, o1);
    const second = await publisher.publish(connectionId, { ...o1 });
    const retry = await publisher.publish(connectionId, { ...o1, attempt: 2 });
    expect(first).toMatchObject({ duplicate: false, messageId: `${o1.orderId}:1` });
    expect(second).toMatchObject({ duplicate: true, sequence: first.sequence });
    expect(retry).toMatchObject({ duplicate: false, messageId: `${o1.orderId}:2` });
    expect(await queuedOrders(jsm, connectionId)).toBe(2);
  });

  it("tells when the oldest order still in a connection's queue was stored, delivered or not", async () => {
    const connectionId = uniqueConnectionId();
    const other = uniqueConnectionId();
    expect(await oldestQueuedOrderAt(jsm, connectionId)).toBeUndefined();
    await publisher.publish(other, order(other, 'o-other'));
    const first = await publisher.publish(connectionId, order(connectionId, 'o-1'));
    const second = await publisher.publish(connectionId, order(connectionId, 'o-2'));
    const stored = async (sequence: number) =>
      (await jsm.streams.getMessage(ORDERS_STREAM, { seq: sequence })).time;
    expect(await oldestQueuedOrderAt(jsm, connectionId)).toEqual(await stored(first.sequence));

    await ensureConnectionConsumer(jsm, connectionId, { ackWaitMs: 30_000, maxDeliver: 2 });
    const consumer = await nc.jetstream().consumers.get(ORDERS_STREAM, consumerName(connectionId));
    const delivered = await consumer.next({ expires: 5000 });
    expect(delivered?.seq).toBe(first.sequence);
    // Delivered and not acked yet: still in the queue.
    expect(await oldestQueuedOrderAt(jsm, connectionId)).toEqual(await stored(first.sequence));
    await delivered!.ackAck();
    expect(await oldestQueuedOrderAt(jsm, connectionId)).toEqual(await stored(second.sequence));
  });

  it('refuses to publish an invalid envelope', async () => {
    const connectionId = uniqueConnectionId();
    await expect(publisher.publish(connectionId, order('other_connection', 'o-1'))).rejects.toThrow(
      InvalidOrderEnvelopeError,
    );
    await expect(publisher.publish(connectionId, { orderId: '', attempt: 1, connectionId })).rejects.toThrow(
      /orderId/,
    );
    expect(await queuedOrders(jsm, connectionId)).toBe(0);
  });
});
