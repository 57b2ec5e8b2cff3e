import { ConnectionConsumerOptions } from './connection-consumer';
import { ConsumerLogger, DeadLetterCallback, OrderHandler } from './order-processor';

export interface OrderConsumerOptions extends ConnectionConsumerOptions {
  connectionId: string;
  /** Applies one order; resolve only once its result is stored (the order is acked then). */
  handler: OrderHandler;
  /** Called after an order went to the dead-letter stream, before it is removed from the queue. */
  onDeadLetter?: DeadLetterCallback;
  /** Orders handled at the same time by this process (default 1). */
  concurrency?: number;
  /**
   * Orders this process holds unacked at most: those in its slots, and those whose handler freed
   * its slot and waits for the order's result to be stored (`OrderContext.freeSlot`, ADR 0058).
   * Default 4 × concurrency; never fewer than `concurrency`.
   */
  maxUnacked?: number;
  /** Delay before a failed order is redelivered, by delivery count (default 1 s, 2 s, 4 s, ... 60 s). */
  retryDelayMs?: (deliveryCount: number) => number;
  /** How long one pull request waits for orders before it is renewed (default 5 s, min 1 s). */
  pullExpiresMs?: number;
  /** How long `stop()` waits for running handlers (default 30 s). */
  stopGraceMs?: number;
  /** Create or update the durable consumer at start (default true). */
  ensureConsumer?: boolean;
  logger?: ConsumerLogger;
}

/** How many orders an `OrderConsumer` holds, and how long its pulls wait, as its options ask. */
export interface ConsumerLimits {
  concurrency: number;
  maxUnacked: number;
  pullExpiresMs: number;
}

/** The options' limits with their defaults; throws naming the option that is not a whole number. */
export function consumerLimits(
  options: Pick<OrderConsumerOptions, 'concurrency' | 'maxUnacked' | 'pullExpiresMs'>,
): ConsumerLimits {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new Error(`concurrency must be a positive integer, got ${options.concurrency}`);
  }
  const maxUnacked = Math.max(concurrency, options.maxUnacked ?? 4 * concurrency);
  if (!Number.isSafeInteger(maxUnacked)) {
    throw new Error(`maxUnacked must be a positive integer, got ${options.maxUnacked}`);
  }
  return { concurrency, maxUnacked, pullExpiresMs: Math.max(1000, options.pullExpiresMs ?? 5000) };
}
