import { JetStreamManager, NatsConnection } from 'nats';
import { ORDERS_STREAM, consumerName } from '../subjects';
import { OrderConsumerOptions } from './order-consumer';
import { OrderPublisher } from './order-publisher';
import { eventually, order, queuedOrders, uniqueConnectionId } from '../testing/order-queue-helpers';
import { orderQueueBed } from '../testing/order-queue-bed';

jest.setTimeout(30_000);

/** What the consumer sends to JetStream for one connection, seen by a connection of the test (the test server has no permissions). */
interface Sent {
  pulls: unknown[];
  acks: string[];
  statuses: number[];
}

describe('OrderConsumer pull requests (ADR 0049)', () => {
  const bed = orderQueueBed({ ackWaitMs: 5000 });
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: OrderPublisher;

  beforeAll(() => ({ nc, jsm, publisher } = bed));

  /** Watches the pulls, acks and pull statuses of one connection's consumer. */
  function watch(connectionId: string): Sent {
    const sent: Sent = { pulls: [], acks: [], statuses: [] };
    const consumer = consumerName(connectionId);
    nc.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${ORDERS_STREAM}.${consumer}`, {
      callback: (_e, m) => sent.pulls.push(m.json()),
    });
    nc.subscribe(`$JS.ACK.${ORDERS_STREAM}.${consumer}.>`, {
      callback: (_e, m) => sent.acks.push(m.string()),
    });
    nc.subscribe(`_INBOX.${connectionId}.>`, {
      callback: (_e, m) => m.headers?.code && sent.statuses.push(m.headers.code),
    });
    return sent;
  }

  /** An inbox prefix of its own, as an agent's identity has, so that `watch` sees its pull statuses alone. */
  const startConsumer = async (
    options: Pick<OrderConsumerOptions, 'connectionId' | 'handler'> & Partial<OrderConsumerOptions>,
  ) => bed.startConsumer(options, await bed.newConnection({ inboxPrefix: `_INBOX.${options.connectionId}` }));

  it('asks for the next orders in the acks of the finished ones: no pull request per order', async () => {
    const connectionId = uniqueConnectionId('pulls');
    const sent = watch(connectionId);
    const handled: string[] = [];
    await startConsumer({
      connectionId,
      concurrency: 4,
      pullExpiresMs: 20_000,
      handler: async (o) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        handled.push(o.orderId);
      },
    });
    await eventually(() => sent.pulls.length === 1, 'the first pull request');
    for (let i = 0; i < 40; i++) await publisher.publish(connectionId, order(connectionId, `o-${i}`));
    await eventually(() => handled.length === 40, 'all 40 orders handled');
    await eventually(async () => (await queuedOrders(jsm, connectionId)) === 0, 'every order acked');

    expect(new Set(handled).size).toBe(40);
    // One pull for the four slots at the start; after that, each ack asks for the slot it frees
    // (orders finishing at the same moment may leave a slot to a pull of its own).
    expect(sent.pulls[0]).toEqual({ batch: 4, expires: 20_000_000_000 });
    expect(sent.pulls.length).toBeLessThanOrEqual(8);
    expect(sent.acks).toHaveLength(40);
    const withNext = sent.acks.filter((a) => a.startsWith('+NXT'));
    // An ack asks for nothing when acks of the same moment already did (their slots are not free yet).
    expect(withNext.length).toBeGreaterThanOrEqual(30);
    expect(JSON.parse(withNext[0].slice('+NXT '.length))).toEqual({
      batch: 1,
      expires: 20_000_000_000,
      no_wait: false,
    });
  });

  it('has no more orders out than it has slots, and no pull waiting while they are all busy', async () => {
    const connectionId = uniqueConnectionId('slots');
    const release: (() => void)[] = [];
    const consumer = await startConsumer({
      connectionId,
      concurrency: 3,
      handler: () => new Promise<void>((resolve) => release.push(resolve)),
    });
    for (let i = 0; i < 10; i++) await publisher.publish(connectionId, order(connectionId, `o-${i}`));
    await eventually(() => consumer.inFlightCount === 3, 'three orders taken');
    const busy = await jsm.consumers.info(ORDERS_STREAM, consumerName(connectionId));
    expect(busy.num_ack_pending).toBe(3);
    expect(busy.num_waiting).toBe(0);

    release.splice(0).forEach((done) => done());
    await eventually(() => release.length === 3, 'the next three orders taken');
    const next = await jsm.consumers.info(ORDERS_STREAM, consumerName(connectionId));
    expect(next.num_ack_pending).toBe(3);
    expect(await queuedOrders(jsm, connectionId)).toBe(7);
    release.splice(0).forEach((done) => done());
  });

  it('takes the next order into a slot its handler freed, and acks that order only once the handler resolves (ADR 0058)', async () => {
    const connectionId = uniqueConnectionId('freed');
    const sent = watch(connectionId);
    const stored: (() => void)[] = [];
    const consumer = await startConsumer({
      connectionId,
      concurrency: 2,
      maxUnacked: 5,
      // The change is made at once; the result waits to be stored until the test says so.
      handler: (_o, ctx) => {
        ctx.freeSlot();
        return new Promise<void>((resolve) => stored.push(resolve));
      },
    });
    for (let i = 0; i < 8; i++) await publisher.publish(connectionId, order(connectionId, `o-${i}`));

    // Two slots, but five unacked orders: the three freed slots were filled while nothing was acked.
    await eventually(() => consumer.inFlightCount === 5, 'five orders taken');
    expect(consumer.inSlotsCount).toBe(0);
    const held = await jsm.consumers.info(ORDERS_STREAM, consumerName(connectionId));
    expect(held.num_ack_pending).toBe(5);
    expect(sent.acks).toHaveLength(0);
    expect(await queuedOrders(jsm, connectionId)).toBe(8);

    // Stored: each is acked then, and the rest of the queue comes.
    stored.splice(0).forEach((done) => done());
    await eventually(() => sent.acks.length === 5, 'the five acks');
    await eventually(() => stored.length === 3, 'the last three orders taken');
    stored.splice(0).forEach((done) => done());
    await eventually(async () => (await queuedOrders(jsm, connectionId)) === 0, 'every order acked');
    expect(sent.acks).toHaveLength(8);
  });

  it('asks again once its waiting pull request expires, and takes the orders published after', async () => {
    const connectionId = uniqueConnectionId('expiry');
    const sent = watch(connectionId);
    const handled: string[] = [];
    await startConsumer({
      connectionId,
      concurrency: 2,
      pullExpiresMs: 1000,
      handler: async (o) => void handled.push(o.orderId),
    });
    // The server ends the idle request with 408 and the number it did not deliver; both slots are free again.
    await eventually(() => sent.statuses.includes(408), 'the first request to expire');
    await eventually(() => sent.pulls.length >= 2, 'a new pull request after the expiry');
    expect(sent.pulls[1]).toEqual({ batch: 2, expires: 1_000_000_000 });
    await publisher.publish(connectionId, order(connectionId, 'o-late'));
    await eventually(() => handled.length === 1, 'the order published after the expiry');
  });
});
