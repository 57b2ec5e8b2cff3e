import {
  AckPolicy,
  ConsumerConfig,
  ConsumerInfo,
  DeliverPolicy,
  JetStreamManager,
  ReplayPolicy,
  nanos,
} from 'nats';
import { ORDERS_STREAM, consumerName, ordersSubject } from '../subjects';
import { JetStreamErrorCodes, isJetStreamApiError } from './jetstream-errors';

export interface ConnectionConsumerOptions {
  /** How long an agent may hold an order without acking before it goes to another agent. */
  ackWaitMs?: number;
  /** How many times the handler may try an order before it is dead-lettered (default 5). */
  maxDeliver?: number;
  /** How many unacked orders the connection may have out at once, over all its agents. */
  maxAckPending?: number;
}

export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_MAX_DELIVER = 5;

/**
 * The server's `max_deliver` is one more than the handler attempts. The extra delivery only
 * happens when an agent died (or lost its connection) during the last attempt: the next agent
 * then sees `deliveryCount > maxDeliver` and dead-letters the order instead of trying again.
 * With `max_deliver` equal to the attempts, such an order would stay in the work queue for
 * ever, never delivered and never reported.
 */
export function serverMaxDeliver(maxDeliver: number): number {
  return maxDeliver + 1;
}

/** The handler attempts a consumer was configured for (inverse of {@link serverMaxDeliver}). */
export function handlerAttempts(info: ConsumerInfo): number {
  const max = info.config.max_deliver ?? -1;
  return max > 1 ? max - 1 : Number.POSITIVE_INFINITY;
}

export function connectionConsumerConfig(
  connectionId: string,
  options: ConnectionConsumerOptions = {},
): Partial<ConsumerConfig> & { durable_name: string } {
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
  if (!Number.isFinite(ackWaitMs) || ackWaitMs < 100)
    throw new Error(`ackWaitMs must be at least 100, got ${ackWaitMs}`);
  if (!Number.isSafeInteger(maxDeliver) || maxDeliver < 1)
    throw new Error(`maxDeliver must be a positive integer, got ${maxDeliver}`);
  return {
    durable_name: consumerName(connectionId),
    description: `Provisioning orders of connection ${connectionId}`,
    // A single filter subject: nats-server 2.9 has no filter_subjects.
    filter_subject: ordersSubject(connectionId),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(ackWaitMs),
    max_deliver: serverMaxDeliver(maxDeliver),
    max_ack_pending: options.maxAckPending ?? 1000,
  };
}

/**
 * Creates the durable pull consumer of a connection on `PROV_ORDERS`, or updates its ack wait,
 * delivery limit and pending limit. Idempotent; every agent of the connection calls it at start.
 */
export async function ensureConnectionConsumer(
  jsm: JetStreamManager,
  connectionId: string,
  options: ConnectionConsumerOptions = {},
): Promise<ConsumerInfo> {
  const wanted = connectionConsumerConfig(connectionId, options);
  let existing: ConsumerInfo | undefined;
  try {
    existing = await jsm.consumers.info(ORDERS_STREAM, wanted.durable_name);
  } catch (error) {
    if (isJetStreamApiError(error, JetStreamErrorCodes.StreamNotFound)) throw missingStream(error);
    if (!isJetStreamApiError(error, JetStreamErrorCodes.ConsumerNotFound)) throw error;
  }

  if (!existing) {
    try {
      return await jsm.consumers.add(ORDERS_STREAM, wanted);
    } catch (error) {
      if (isJetStreamApiError(error, JetStreamErrorCodes.StreamNotFound)) throw missingStream(error);
      if (isJetStreamApiError(error, JetStreamErrorCodes.FilteredConsumerNotUnique)) {
        throw new Error(
          `another consumer of ${ORDERS_STREAM} already filters ${wanted.filter_subject}; ` +
            `a work queue allows one per subject, and it must be ${wanted.durable_name}`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  const current = existing.config;
  if (current.filter_subject !== wanted.filter_subject) {
    throw new Error(
      `consumer ${wanted.durable_name} filters ${current.filter_subject}, expected ${wanted.filter_subject}; ` +
        'delete the consumer so that it can be recreated',
    );
  }
  if (current.ack_policy !== wanted.ack_policy) {
    throw new Error(
      `consumer ${wanted.durable_name} uses ack policy ${current.ack_policy}, expected ${wanted.ack_policy}; ` +
        'JetStream cannot change it in place: delete the consumer so that it can be recreated',
    );
  }
  const changed =
    current.ack_wait !== wanted.ack_wait ||
    current.max_deliver !== wanted.max_deliver ||
    current.max_ack_pending !== wanted.max_ack_pending;
  if (!changed) return existing;
  return jsm.consumers.update(ORDERS_STREAM, wanted.durable_name, {
    ack_wait: wanted.ack_wait,
    max_deliver: wanted.max_deliver,
    max_ack_pending: wanted.max_ack_pending,
    description: wanted.description,
  });
}

/**
 * The order stream is not there (yet): only the `orders` service may create it (ADR 0010), so
 * an agent that starts first waits for it.
 */
export class OrdersStreamMissingError extends Error {
  override readonly name = 'OrdersStreamMissingError';
}

function missingStream(cause: unknown): Error {
  return new OrdersStreamMissingError(
    `stream ${ORDERS_STREAM} does not exist: call ensureOrdersStreams() first`,
    { cause },
  );
}
