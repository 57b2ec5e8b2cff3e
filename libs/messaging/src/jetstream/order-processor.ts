import { JetStreamClient, JsMsg } from 'nats';
import { DeadLetterInfo, DeadLetterKind, publishDeadLetter } from './dead-letter';
import { describeError } from './jetstream-errors';
import { OrderEnvelope, decodeOrder } from './order-envelope';
import { extractTraceHeaders, inSpan, SpanKind } from '../tracing/trace-propagation';

export interface OrderContext {
  /** 1 on the first delivery; JetStream's count, shared by all agents of the connection. */
  deliveryCount: number;
  redelivered: boolean;
  /** Handler attempts before the order is dead-lettered. */
  maxDeliver: number;
  streamSequence: number;
  /** Aborted when the consumer stops and its grace period for running handlers is over. */
  signal: AbortSignal;
  /**
   * Says that what needed a handler slot is done: the change is made and only the order's
   * result is still to be stored (ADR 0058), or what is left is the order's share of a write
   * made for several (ADR 0077). The consumer takes the next order into the slot meanwhile, and
   * acks this one when the handler resolves, as always; unacked orders stay within `maxUnacked`.
   * Calling it again, or not at all, is harmless: the slot is freed when the handler settles at
   * the latest.
   */
  freeSlot: () => void;
}

export type OrderHandler = (order: OrderEnvelope, ctx: OrderContext) => Promise<void>;

export type DeadLetterCallback = (
  order: OrderEnvelope | undefined,
  reason: string,
  info: DeadLetterInfo,
) => Promise<void> | void;

export interface ConsumerLogger {
  log(message: unknown): void;
  warn(message: unknown): void;
  error(message: unknown): void;
}

export interface OrderProcessorSettings {
  connectionId: string;
  handler: OrderHandler;
  onDeadLetter?: DeadLetterCallback;
  /** Handler attempts; the server allows one delivery more (see `serverMaxDeliver`). */
  maxDeliver: number;
  ackWaitMs: number;
  retryDelayMs: (deliveryCount: number) => number;
  logger: ConsumerLogger;
  /**
   * Called only after the handler resolved. True: it acked the order itself, unconfirmed, in a
   * message that may also ask for the next orders (`PullRequests.ackAndPull`). False or absent:
   * the processor acks and waits for the server's confirmation.
   */
  ackProcessed?: (msg: JsMsg) => boolean;
}

/**
 * What happens to one delivered order message. The rules, in order:
 * 1. a body that is not a valid envelope is poison: dead-letter at once (retrying cannot help);
 * 2. a delivery beyond `maxDeliver` means the last attempt never finished (its agent died):
 *    dead-letter without trying again;
 * 3. run the handler, telling JetStream "still working" every half ack-wait so a slow connector
 *    call is not redelivered to a second agent meanwhile;
 * 4. handler resolved: ack (and only then: the agent acks after its report was stored);
 *    handler rejected: `nak` with a growing delay, or dead-letter on the last attempt.
 *
 * Nothing here throws: every failure ends in ack, nak, term or a log line, so a bad message
 * can never stop the consumer.
 */
export class OrderMessageProcessor {
  constructor(
    private readonly js: JetStreamClient,
    private readonly settings: OrderProcessorSettings,
  ) {}

  /** `freeSlot`: see {@link OrderContext.freeSlot}; the consumer frees the slot itself once this resolves. */
  async process(msg: JsMsg, signal: AbortSignal, freeSlot: () => void = () => undefined): Promise<void> {
    const { connectionId, maxDeliver } = this.settings;
    const deliveryCount = msg.info.deliveryCount;
    const decoded = decodeOrder(msg.data, connectionId);
    if (!decoded.ok) {
      return this.deadLetter(msg, undefined, 'poison', decoded.reason, decoded.orderId);
    }
    const order = decoded.order;
    if (deliveryCount > maxDeliver) {
      const reason = `no result after ${maxDeliver} deliveries: the agent handling the last one stopped or lost its connection`;
      return this.deadLetter(msg, order, 'max-deliveries', reason, order.orderId);
    }

    const stopWorking = this.keepWorking(msg, signal);
    // The handler (connector call, report) continues the trace of the publish: `traceparent` header.
    const span = {
      kind: SpanKind.CONSUMER,
      parent: extractTraceHeaders(msg.headers),
      attributes: {
        'messaging.system': 'nats',
        'messaging.destination.name': msg.subject,
        'prov.connection.id': connectionId,
        'prov.order.id': order.orderId,
        'prov.order.attempt': order.attempt,
        'messaging.delivery_count': deliveryCount,
      },
    };
    try {
      // Promise.resolve().then(): a handler that throws synchronously is a rejection too.
      await inSpan(`process ${msg.subject}`, span, () =>
        Promise.resolve().then(() =>
          this.settings.handler(order, {
            deliveryCount,
            redelivered: msg.redelivered,
            maxDeliver,
            streamSequence: msg.seq,
            signal,
            freeSlot,
          }),
        ),
      );
    } catch (error) {
      stopWorking();
      return this.failed(msg, order, error);
    }
    stopWorking();
    await this.ack(msg, order);
  }

  private async failed(msg: JsMsg, order: OrderEnvelope, error: unknown): Promise<void> {
    const deliveryCount = msg.info.deliveryCount;
    const reason = describeError(error);
    if (deliveryCount >= this.settings.maxDeliver) {
      const why = `handler failed on all ${deliveryCount} deliveries; last error: ${reason}`;
      return this.deadLetter(msg, order, 'max-deliveries', why, order.orderId);
    }
    const delayMs = this.settings.retryDelayMs(deliveryCount);
    this.settings.logger.warn({
      msg: 'order handler failed; will be redelivered',
      orderId: order.orderId,
      attempt: order.attempt,
      deliveryCount,
      retryInMs: delayMs,
      error: reason,
    });
    this.safely(() => msg.nak(delayMs), 'nak', order.orderId);
  }

  private async ack(msg: JsMsg, order: OrderEnvelope): Promise<void> {
    // A lost ack costs a redelivery, which the handler recognises (it converges, its report is a
    // repeat): no confirmation is needed for correctness, only for the log line below.
    if (this.settings.ackProcessed?.(msg)) return;
    try {
      // ackAck waits for the server's confirmation, so a lost ack is at least logged.
      await msg.ackAck({ timeout: 5000 });
    } catch (error) {
      this.settings.logger.warn({
        msg: 'ack of a processed order not confirmed; JetStream may redeliver it (handlers are idempotent)',
        orderId: order.orderId,
        error: describeError(error),
      });
    }
  }

  private async deadLetter(
    msg: JsMsg,
    order: OrderEnvelope | undefined,
    kind: DeadLetterKind,
    reason: string,
    orderId: string | undefined,
  ): Promise<void> {
    const info: DeadLetterInfo = {
      kind,
      reason,
      connectionId: this.settings.connectionId,
      subject: msg.subject,
      streamSequence: msg.seq,
      deliveryCount: msg.info.deliveryCount,
      ...(orderId === undefined ? {} : { orderId }),
    };
    const retryLater = () =>
      this.safely(() => msg.nak(this.settings.retryDelayMs(info.deliveryCount)), 'nak', orderId);
    try {
      await publishDeadLetter(this.js, msg, info);
    } catch (error) {
      // Keep the order in the work queue rather than lose it; the next delivery tries again.
      this.settings.logger.error({
        msg: 'could not dead-letter an order',
        ...info,
        error: describeError(error),
      });
      return retryLater();
    }
    this.settings.logger.error({ msg: 'order dead-lettered', ...info });
    try {
      await this.settings.onDeadLetter?.(order, reason, info);
    } catch (error) {
      // The dead letter is stored; give the callback (reporting Errored) one more delivery if
      // JetStream still allows one. The second dead-letter publish is deduplicated.
      const moreDeliveries = info.deliveryCount <= this.settings.maxDeliver;
      this.settings.logger.error({
        msg: moreDeliveries
          ? 'onDeadLetter failed; retrying on the next delivery'
          : 'onDeadLetter failed; giving up',
        ...info,
        error: describeError(error),
      });
      if (moreDeliveries) return retryLater();
    }
    this.safely(() => msg.term(), 'term', orderId);
  }

  /**
   * Resets the ack timer while the handler runs; cleared when it settles, and when the consumer
   * gave up waiting for it (`signal`), so that the ack wait runs out and another agent gets it.
   */
  private keepWorking(msg: JsMsg, signal: AbortSignal): () => void {
    const every = Math.max(50, Math.floor(this.settings.ackWaitMs / 2));
    const timer = setInterval(() => this.safely(() => msg.working(), 'working'), every);
    timer.unref?.();
    const stop = () => {
      clearInterval(timer);
      signal.removeEventListener('abort', stop);
    };
    signal.addEventListener('abort', stop, { once: true });
    return stop;
  }

  /** ack/nak/term/working publish on the connection, which throws once it is closed. */
  private safely(action: () => void, what: string, orderId?: string): void {
    try {
      action();
    } catch (error) {
      this.settings.logger.warn({
        msg: `could not ${what} an order message`,
        orderId,
        error: describeError(error),
      });
    }
  }
}
