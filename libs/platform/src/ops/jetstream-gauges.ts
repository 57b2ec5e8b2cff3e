import { timeout, TimeoutStrategy } from 'cockatiel';
import { Gauge } from 'prom-client';
import type { NatsConnection } from 'nats';
import { consumerName, ORDERS_STREAM } from '@prov/messaging';
import { metricsRegistry } from './metrics';

/**
 * The order queue of each connection an agent serves, from JetStream's consumer info when
 * Prometheus scrapes: `pending` orders not delivered yet (the consumer's lag), `ack_pending`
 * orders being applied, and redeliveries. A connection whose consumer cannot be read is left out.
 */
export function registerConsumerGauges(
  connection: () => Promise<NatsConnection>,
  connections: readonly string[],
): void {
  const read = async () => {
    // NATS away: the queue series are left out of the scrape, not the whole scrape.
    const jsm = await timeout(2000, TimeoutStrategy.Aggressive)
      .dangerouslyUnref()
      .execute(() => connection().then((nc) => nc.jetstreamManager()))
      .catch(() => undefined);
    if (!jsm) return [];
    const infos = await Promise.allSettled(
      connections.map((id) => jsm.consumers.info(ORDERS_STREAM, consumerName(id))),
    );
    return connections.flatMap((id, i) => {
      const info = infos[i];
      return info.status === 'fulfilled' ? [{ id, info: info.value }] : [];
    });
  };
  const gauge = (
    name: string,
    help: string,
    value: (info: Awaited<ReturnType<typeof read>>[number]['info']) => number,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['connection'] as const,
      registers: [metricsRegistry],
      async collect() {
        this.reset();
        for (const { id, info } of await read()) this.set({ connection: id }, value(info));
      },
    });
  gauge(
    'prov_order_queue_depth',
    'Orders of a connection in JetStream not acknowledged yet (waiting and in flight)',
    (i) => i.num_pending + i.num_ack_pending,
  );
  gauge(
    'prov_order_consumer_lag',
    "Orders of a connection JetStream has not delivered yet (the consumer's lag)",
    (i) => i.num_pending,
  );
  gauge(
    'prov_order_ack_pending',
    'Orders of a connection delivered and being applied',
    (i) => i.num_ack_pending,
  );
  gauge(
    'prov_order_redelivered',
    'Orders of a connection delivered more than once and not acknowledged yet',
    (i) => i.num_redelivered,
  );
}
