import { JetStreamClient, JsMsg, PubAck, headers as natsHeaders } from 'nats';
import { ORDERS_DLQ_STREAM, deadLetterSubject } from '../subjects';
import { OrderHeaders, headerValue } from './order-headers';

/** Why an order was given up on. */
export type DeadLetterKind =
  /** The body is not a valid order envelope; trying again cannot help. */
  | 'poison'
  /** The handler failed (or never finished) on every allowed delivery. */
  | 'max-deliveries';

export interface DeadLetterInfo {
  kind: DeadLetterKind;
  reason: string;
  connectionId: string;
  /** Subject and stream sequence of the original message in `PROV_ORDERS`. */
  subject: string;
  streamSequence: number;
  deliveryCount: number;
  /** Read from the body when possible, also for poison messages, so the order can be reported. */
  orderId?: string;
}

/**
 * Copies a message into `PROV_ORDERS_DLQ` (`prov.dlq.orders.<connectionId>`): the body unchanged,
 * so it can be replayed as it is, and the reason, origin and delivery count in headers.
 *
 * The dead letter reuses the original message id (`<orderId>:<attempt>`, or the stream sequence
 * for a message without one), so a consumer that dead-letters the same message twice (it
 * crashed between this publish and the `term`) stores it once.
 */
export async function publishDeadLetter(
  js: JetStreamClient,
  msg: JsMsg,
  info: DeadLetterInfo,
): Promise<PubAck> {
  const headers = natsHeaders();
  headers.set(OrderHeaders.DeadLetterKind, info.kind);
  headers.set(OrderHeaders.DeadLetterReason, headerValue(info.reason));
  headers.set(OrderHeaders.OriginalSubject, info.subject);
  headers.set(OrderHeaders.OriginalSequence, String(info.streamSequence));
  headers.set(OrderHeaders.DeliveryCount, String(info.deliveryCount));
  headers.set(OrderHeaders.Consumer, msg.info.consumer);
  headers.set(OrderHeaders.DeadLetteredAt, new Date().toISOString());
  if (info.orderId) headers.set(OrderHeaders.OrderId, headerValue(info.orderId));
  const attempt = msg.headers?.get(OrderHeaders.Attempt);
  if (attempt) headers.set(OrderHeaders.Attempt, attempt);

  const originalId = msg.headers?.get('Nats-Msg-Id');
  return js.publish(deadLetterSubject(info.connectionId), msg.data, {
    msgID: originalId ? `dlq:${originalId}` : `dlq:seq:${info.streamSequence}`,
    expect: { streamName: ORDERS_DLQ_STREAM },
    headers,
  });
}
