import { JetStreamClient, headers as natsHeaders } from 'nats';
import { ORDERS_STREAM, orderMessageId, ordersSubject } from '../subjects';
import { OrderEnvelope, encodeOrder } from './order-envelope';
import { OrderHeaders } from './order-headers';
import { inSpan, injectTraceHeaders, SpanKind } from '../tracing/trace-propagation';

export interface PublishedOrder {
  /** True when JetStream already had this `<orderId>:<attempt>` within the duplicate window. */
  duplicate: boolean;
  /** Stream sequence of the stored message (of the first copy for a duplicate). */
  sequence: number;
  messageId: string;
}

export interface OrderPublisherOptions {
  /** How long to wait for JetStream's acknowledgement of a publish (default 5 s). */
  timeoutMs?: number;
}

export interface PublishOptions {
  /**
   * Sends an attempt already sent once more, as its own message: `<orderId>:<attempt>:after:<id>`
   * (once per `after`), which the duplicate window would otherwise drop. For an order an older
   * one, applied after it, may have undone (ADR 0065).
   */
  after?: string;
}

/**
 * Puts provisioning orders into the `PROV_ORDERS` work queue.
 *
 * The message id is `<orderId>:<attempt>`, so publishing the same attempt again (the `orders`
 * service re-dispatches orders that got no report, or retries after a publish timeout whose
 * first try did arrive) stores it once. The publish only resolves after JetStream stored the
 * message, and it names the stream it expects, so a subject captured by some other stream is
 * an error rather than an order silently stored where no agent looks.
 */
export class OrderPublisher {
  private readonly timeoutMs: number;

  constructor(
    private readonly js: JetStreamClient,
    options: OrderPublisherOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** @throws InvalidOrderEnvelopeError for an invalid order, or one for another connection */
  async publish(
    connectionId: string,
    order: OrderEnvelope,
    options: PublishOptions = {},
  ): Promise<PublishedOrder> {
    const subject = ordersSubject(connectionId);
    const attributes = {
      'messaging.system': 'nats',
      'messaging.destination.name': subject,
      'prov.connection.id': connectionId,
      'prov.order.id': order.orderId,
      'prov.order.attempt': order.attempt,
    };
    // The agent continues this span's trace from the message's `traceparent` header.
    return inSpan(`publish ${subject}`, { kind: SpanKind.PRODUCER, attributes }, () =>
      this.store(subject, connectionId, order, options),
    );
  }

  private async store(
    subject: string,
    connectionId: string,
    order: OrderEnvelope,
    { after }: PublishOptions,
  ): Promise<PublishedOrder> {
    const data = encodeOrder(order, connectionId);
    const messageId = orderMessageId(order.orderId, order.attempt) + (after ? `:after:${after}` : '');
    const headers = natsHeaders();
    headers.set(OrderHeaders.OrderId, order.orderId);
    headers.set(OrderHeaders.Attempt, String(order.attempt));
    injectTraceHeaders(headers);
    const ack = await this.js.publish(subject, data, {
      msgID: messageId,
      expect: { streamName: ORDERS_STREAM },
      headers,
      timeout: this.timeoutMs,
    });
    return { duplicate: ack.duplicate, sequence: ack.seq, messageId };
  }
}
