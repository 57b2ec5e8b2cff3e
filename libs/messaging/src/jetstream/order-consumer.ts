import { Logger } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { ConsumerInfo, Events, JetStreamClient, JsMsg, NatsConnection, Status } from 'nats';
import { ORDERS_STREAM, assertConnectionId, consumerName } from '../subjects';
import { ensureConnectionConsumer, handlerAttempts } from './connection-consumer';
import { describeError } from './jetstream-errors';
import { consumerLimits, type OrderConsumerOptions } from './order-consumer-options';
import { type ConsumerLogger, OrderMessageProcessor } from './order-processor';
import { PullRequests } from './pull-requests';
import { Wakeup, exponentialBackoff, settledWithin } from './wakeup';

export type { OrderConsumerOptions } from './order-consumer-options';

/**
 * Pulls the orders of one connection from its durable consumer and hands them to a handler.
 * Several processes (or several instances) on the same connection share the consumer, so
 * JetStream gives each order to one of them at a time.
 *
 * It asks only for as many messages as it has free handler slots: an order waiting in a local
 * buffer would have its ack timer running while no agent works on it, and would be redelivered
 * to another agent that is idle. The pulls share one inbox (`PullRequests`), and the ack of a
 * processed order asks for the next one in the same message, so a busy consumer sends one
 * message per order (ADR 0049). While NATS is disconnected the loop waits; after a reconnect (or
 * a deleted consumer, or a restarted server) it looks the consumer up again.
 */
export class OrderConsumer {
  private readonly js: JetStreamClient;
  private readonly logger: ConsumerLogger;
  private readonly concurrency: number;
  private readonly maxUnacked: number;
  /** Delivered orders whose handler still holds its slot (every one in `inFlight` until it frees it). */
  private readonly inSlots = new Set<JsMsg>();
  private pullScheduled = false;
  private readonly pullExpiresMs: number;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly wakeup = new Wakeup();
  private readonly abort = new AbortController();
  private readonly reconnectDelay = exponentialBackoff(250, 10_000);
  private processor?: OrderMessageProcessor;
  private pulls?: PullRequests;
  private pullError?: Error;
  private status?: AsyncIterable<Status> & { stop?: () => void };
  private connected = true;
  private stopping = false;
  private loop?: Promise<void>;
  private stopped?: Promise<void>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: OrderConsumerOptions,
  ) {
    assertConnectionId(options.connectionId);
    this.js = nc.jetstream();
    this.logger = options.logger ?? new Logger(`OrderConsumer ${options.connectionId}`);
    ({
      concurrency: this.concurrency,
      maxUnacked: this.maxUnacked,
      pullExpiresMs: this.pullExpiresMs,
    } = consumerLimits(options));
    // Every order held listens for the stop (its message is kept alive until then), and its
    // handler may too (the agent's breaker waits on it): listeners bounded by the orders held
    // are the design, not the leak Node warns of past ten.
    setMaxListeners(2 * this.maxUnacked, this.abort.signal);
  }

  get connectionId(): string {
    return this.options.connectionId;
  }

  /** Orders whose handler is running right now (in a slot, or waiting for its result to be stored). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Orders whose handler holds a slot right now. */
  get inSlotsCount(): number {
    return this.inSlots.size;
  }

  /**
   * Makes sure the durable consumer exists (unless `ensureConsumer: false`) and starts pulling.
   * Resolves once pulling has begun; rejects when the stream or consumer is missing or NATS is
   * unreachable.
   */
  async start(): Promise<void> {
    if (this.loop || this.stopping) throw new Error('an OrderConsumer can be started once; create a new one');
    const info = await this.lookUpConsumer();
    // The server's configuration is the truth: another agent may have set it.
    this.processor = new OrderMessageProcessor(this.js, {
      connectionId: this.connectionId,
      handler: this.options.handler,
      onDeadLetter: this.options.onDeadLetter,
      maxDeliver: handlerAttempts(info),
      ackWaitMs: Math.round((info.config.ack_wait ?? 30_000_000_000) / 1_000_000),
      retryDelayMs: this.options.retryDelayMs ?? exponentialBackoff(1000, 60_000),
      logger: this.logger,
      ackProcessed: (msg) => this.ackAndPull(msg),
    });
    this.watchConnection();
    this.openPulls(info);
    this.loop = this.run();
  }

  /**
   * Drains: stops pulling, waits up to `graceMs` for running handlers (their orders are acked
   * or nacked as usual), then returns. Handlers still running after that are told through
   * `ctx.signal`; their orders are no longer kept alive, so JetStream redelivers them to
   * another agent once the ack wait is over. Does not close the NATS connection.
   */
  stop(options: { graceMs?: number } = {}): Promise<void> {
    this.stopped ??= this.drain(options.graceMs ?? this.options.stopGraceMs ?? 30_000);
    return this.stopped;
  }

  private async drain(graceMs: number): Promise<void> {
    this.stopping = true;
    this.closePulls();
    this.wakeup.notify();
    await this.loop;
    const running = [...this.inFlight];
    if (running.length > 0 && !(await settledWithin(Promise.all(running), graceMs))) {
      this.logger.warn({
        msg: 'stopped while orders were still being handled; JetStream will redeliver them after the ack wait',
        connectionId: this.connectionId,
        running: this.inFlight.size,
      });
    }
    this.abort.abort();
    this.status?.stop?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      if (this.nc.isClosed()) {
        this.logger.error({
          msg: 'NATS connection closed; no more orders are pulled',
          connectionId: this.connectionId,
        });
        return;
      }
      if (!this.connected) {
        await this.wakeup.wait(1000);
        continue;
      }
      try {
        if (this.pullError) throw this.pullError;
        const pulls = this.pulls ?? this.openPulls(await this.lookUpConsumer());
        // The server answers every pull (orders, or its 408 at expiry), but not one sent to a
        // consumer that is gone: a consumer deleted while no pull waited sends no 409 either.
        if (pulls.isStale()) throw new Error('no answer to the pulls: the consumer may be gone');
        // Free slots not yet asked for; the acks of finishing orders usually ask for them already.
        pulls.pull(this.room(pulls));
        failures = 0;
        await this.wakeup.wait(this.pullExpiresMs);
      } catch (error) {
        if (this.stopping) break;
        failures++;
        // Look the consumer up (and re-create it) again: it may have been deleted, or the
        // server restarted without its state.
        this.closePulls();
        const retryInMs = this.reconnectDelay(failures);
        this.logger.warn({
          msg: 'pulling orders failed',
          connectionId: this.connectionId,
          retryInMs,
          error: describeError(error),
        });
        await this.wakeup.wait(retryInMs);
      }
    }
  }

  /** The durable consumer, created or brought to this configuration unless `ensureConsumer: false`. */
  private async lookUpConsumer(): Promise<ConsumerInfo> {
    const jsm = await this.nc.jetstreamManager();
    const { connectionId } = this.options;
    return this.options.ensureConsumer === false
      ? jsm.consumers.info(ORDERS_STREAM, consumerName(connectionId))
      : ensureConnectionConsumer(jsm, connectionId, this.options);
  }

  /** Opens the inbox the consumer's pulls are answered on. */
  private openPulls(info: ConsumerInfo): PullRequests {
    const pulls = new PullRequests(this.nc, {
      stream: ORDERS_STREAM,
      consumer: info.name,
      expiresMs: this.pullExpiresMs,
      onMessage: (msg) => this.dispatch(msg),
      onError: (error) => {
        // The loop meets it on its next turn: backoff, then the consumer is looked up again.
        if (this.pulls === pulls) this.pullError = error;
        this.wakeup.notify();
      },
      onExpired: () => this.wakeup.notify(),
    });
    this.pulls = pulls;
    return pulls;
  }

  private closePulls(): void {
    this.pulls?.close();
    this.pulls = undefined;
    this.pullError = undefined;
  }

  /**
   * Orders to ask for: free slots, within the bound of unacked orders, less those asked for and
   * not yet delivered. `leaving` is an order being acked, counted as gone already.
   */
  private room(pulls: PullRequests, leaving?: JsMsg): number {
    const inSlots = this.inSlots.size - (leaving && this.inSlots.has(leaving) ? 1 : 0);
    const unacked = this.inFlight.size - (leaving ? 1 : 0);
    return Math.min(this.concurrency - inSlots, this.maxUnacked - unacked) - pulls.outstanding;
  }

  /**
   * The ack of a processed order, asking for as many orders as there will be room for once it
   * is done (itself included). While stopping nothing more is asked for and the ack is confirmed.
   */
  private ackAndPull(msg: JsMsg): boolean {
    const pulls = this.pulls;
    if (this.stopping || !pulls || !this.connected) return false;
    // `msg` still counts in inFlight here.
    pulls.ackAndPull(msg, this.room(pulls, msg));
    return true;
  }

  /**
   * An order freed its slot before its handler resolved. Its ack will ask for the next orders
   * (`+NXT`), but only once its result is stored; a pull of its own for every freed slot would
   * double the messages per order. So slots freed meanwhile are asked for together, once a
   * quarter of the slots is free (at once when there is one slot): the connector keeps at least
   * three quarters of its slots busy while there is a backlog, at one pull per few orders.
   */
  private slotFreed(msg: JsMsg): void {
    if (!this.inSlots.delete(msg) || this.pullScheduled) return;
    this.pullScheduled = true;
    setImmediate(() => {
      this.pullScheduled = false;
      const pulls = this.pulls;
      if (this.stopping || !pulls || !this.connected) return;
      const room = this.room(pulls);
      if (room >= Math.ceil(this.concurrency / 4)) pulls.pull(room);
    });
  }

  private dispatch(msg: JsMsg): void {
    const processor = this.processor!;
    this.inSlots.add(msg);
    const task: Promise<void> = processor
      .process(msg, this.abort.signal, () => this.slotFreed(msg))
      .catch((error: unknown) => {
        this.logger.error({
          msg: 'order processing failed unexpectedly',
          seq: msg.seq,
          error: describeError(error),
        });
      })
      .finally(() => {
        this.inFlight.delete(task);
        this.inSlots.delete(msg);
        this.wakeup.notify();
      });
    this.inFlight.add(task);
  }

  /** Pauses pulling while disconnected, so pull requests do not pile up in the client's buffer. */
  private watchConnection(): void {
    const status = this.nc.status() as AsyncIterable<Status> & { stop?: () => void };
    this.status = status;
    void (async () => {
      for await (const event of status) {
        if (event.type === Events.Disconnect) {
          this.connected = false;
        } else if (event.type === Events.Reconnect) {
          this.connected = true;
          // A restarted server lost the waiting pulls: ask again. (If it kept them, a few orders
          // more than the slots arrive, and are handled all the same.) A consumer that is gone
          // answers the next pull with an error, and is looked up again.
          this.pulls?.forget();
          this.wakeup.notify();
        }
      }
    })().catch(() => undefined);
  }
}
