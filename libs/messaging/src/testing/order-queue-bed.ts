import { type ConnectionOptions, JetStreamManager, NatsConnection, connect } from 'nats';
import { testNatsUrl } from '@prov/testing';
import { OrderConsumer, type OrderConsumerOptions } from '../jetstream/order-consumer';
import { OrderPublisher } from '../jetstream/order-publisher';
import { ensureOrdersStreams } from '../jetstream/orders-streams';
import { recordingLogger } from './order-queue-helpers';

export interface OrderQueueBed {
  /** The spec's own connection, with the order streams ensured (set in beforeAll). */
  nc: NatsConnection;
  jsm: JetStreamManager;
  publisher: OrderPublisher;
  newConnection(options?: Partial<ConnectionOptions>): Promise<NatsConnection>;
  /** A started consumer with the spec's defaults, on a connection of its own unless one is given. */
  startConsumer(
    options: Partial<OrderConsumerOptions> & Pick<OrderConsumerOptions, 'connectionId' | 'handler'>,
    connection?: NatsConnection,
  ): Promise<OrderConsumer>;
}

/**
 * What the OrderConsumer integration specs share: the test server's connection with the streams
 * and a publisher before the first test, and every consumer stopped and connection closed after
 * the last. Call it inside `describe`: it registers its own beforeAll and afterAll.
 */
export function orderQueueBed(defaults: Partial<OrderConsumerOptions>): OrderQueueBed {
  const connections: NatsConnection[] = [];
  const consumers: OrderConsumer[] = [];
  const bed = {
    async newConnection(options: Partial<ConnectionOptions> = {}) {
      const connection = await connect({
        servers: testNatsUrl(),
        maxReconnectAttempts: -1,
        reconnectTimeWait: 100,
        ...options,
      });
      connections.push(connection);
      return connection;
    },
    async startConsumer(
      options: Partial<OrderConsumerOptions> & Pick<OrderConsumerOptions, 'connectionId' | 'handler'>,
      connection?: NatsConnection,
    ) {
      const consumer = new OrderConsumer(connection ?? (await bed.newConnection()), {
        logger: recordingLogger(),
        ...defaults,
        ...options,
      });
      consumers.push(consumer);
      await consumer.start();
      return consumer;
    },
  } as OrderQueueBed;

  beforeAll(async () => {
    bed.nc = await bed.newConnection();
    bed.jsm = await bed.nc.jetstreamManager();
    await ensureOrdersStreams(bed.jsm);
    bed.publisher = new OrderPublisher(bed.nc.jetstream());
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop({ graceMs: 100 })));
    await Promise.all(connections.map((c) => c.close()));
  });

  return bed;
}
