import { randomBytes } from 'node:crypto';
import { JetStreamManager, JsMsg, NatsConnection } from 'nats';
import {
  ORDERS_DLQ_STREAM,
  ORDERS_STREAM,
  consumerName,
  deadLetterSubject,
  ordersSubject,
} from '../subjects';
import { ConsumerLogger } from '../jetstream/order-processor';
import { OrderEnvelope } from '../jetstream/order-envelope';

/**
 * Helpers for the JetStream integration tests of this library (not exported from the barrel).
 * All tests share one nats-server and the fixed stream names, so each test works on
 * connection ids of its own.
 */

export function uniqueConnectionId(prefix = 'conn'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/**
 * An order whose id is `<name>-<connectionId>`: JetStream's duplicate window covers the whole
 * stream, not one subject, so order ids must be unique across connections (real ones are UUIDs).
 */
export function order(
  connectionId: string,
  name: string,
  attempt = 1,
  extra: Record<string, unknown> = {},
): OrderEnvelope {
  return { orderId: `${name}-${connectionId}`, attempt, connectionId, changeType: 'Added', ...extra };
}

/** A logger that keeps what it was told, so tests stay quiet and can assert on it. */
export function recordingLogger(): ConsumerLogger & { lines: { level: string; message: unknown }[] } {
  const lines: { level: string; message: unknown }[] = [];
  return {
    lines,
    log: (message) => lines.push({ level: 'log', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
  };
}

/** Polls `check` until it returns true, or fails with `what` after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Messages of one connection still stored in the orders work queue. */
export async function queuedOrders(jsm: JetStreamManager, connectionId: string): Promise<number> {
  const subject = ordersSubject(connectionId);
  const info = await jsm.streams.info(ORDERS_STREAM, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

/** The dead letters of one connection, oldest first. */
export async function deadLetters(nc: NatsConnection, connectionId: string): Promise<JsMsg[]> {
  const jsm = await nc.jetstreamManager();
  const subject = deadLetterSubject(connectionId);
  const info = await jsm.streams.info(ORDERS_DLQ_STREAM, { subjects_filter: subject });
  const count = info.state.subjects?.[subject] ?? 0;
  if (count === 0) return [];
  const consumer = await nc.jetstream().consumers.get(ORDERS_DLQ_STREAM, { filterSubjects: subject });
  const messages: JsMsg[] = [];
  const batch = await consumer.fetch({ max_messages: count, expires: 2000 });
  for await (const msg of batch) messages.push(msg);
  return messages;
}

/** Removes a connection's consumer (the queue forbids two consumers on one subject). */
export async function deleteConnectionConsumer(jsm: JetStreamManager, connectionId: string): Promise<void> {
  await jsm.consumers.delete(ORDERS_STREAM, consumerName(connectionId)).catch(() => undefined);
}
