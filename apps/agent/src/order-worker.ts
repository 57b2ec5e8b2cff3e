import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { ConstantBackoff } from 'cockatiel';
import { type OrderToApply, PermanentConnectorError, isConnectorError } from '@prov/connectors';
import { readAgentSettings, readAgentStreamWaitMs, readOperationsSettings } from '@prov/config';
import {
  CommandClient,
  CommandError,
  OrderConsumer,
  type OrderContext,
  type OrderEnvelope,
  OrdersStreamMissingError,
  retryUntil,
  steadyBackoff,
} from '@prov/messaging';
import { NatsConnectionProvider } from '@prov/platform';
import { MAX_REPORT_ERROR_LENGTH } from '@prov/contracts';
import type { ConnectorCall } from '@prov/domain';
import { ConnectionBreakers } from './breaker/connection-breakers';
import { ConnectorPool } from './connector-pool';
import { connectorCall } from './connector-call';
import { GeneratedPasswords } from './passwords/generated-passwords';
import { OrderSequence } from './order-sequence';
import { OrderReports } from './reports/order-reports';

// 0.5 s, 1 s, 2 s ... 5 s between the tries of one report.
const REPORT_BACKOFF = steadyBackoff(500, 5000);

/**
 * Applies the orders of the agent's connections. An order is acked only after `orders` stored
 * its report: if this process dies in between, JetStream redelivers the order, the connector
 * converges (nothing written twice) and the repeated report is recognised as such.
 */
@Injectable()
export class OrderWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OrderWorker');
  private readonly consumers: OrderConsumer[] = [];
  /** Read once: reading them checks every agent variable against the schema, too much for every report. */
  private readonly settings = readAgentSettings();
  /** Reports of orders finished close together share one command (ADR 0054). */
  private readonly reports: OrderReports;
  /** One assignment's orders in generation order; an older one after a newer is not applied. */
  private readonly sequence = new OrderSequence();

  constructor(
    private readonly nats: NatsConnectionProvider,
    private readonly pool: ConnectorPool,
    commands: CommandClient,
    private readonly passwords: GeneratedPasswords,
    private readonly breakers: ConnectionBreakers,
  ) {
    this.reports = new OrderReports(commands);
  }

  async onApplicationBootstrap(): Promise<void> {
    const nc = await this.nats.get();
    const { maxDeliver, ackWaitMs, concurrency } = this.settings;
    for (const connection of this.pool.connections) {
      const consumer = new OrderConsumer(nc, {
        connectionId: connection.id,
        maxDeliver,
        ackWaitMs,
        // Orders of different accounts are independent; connectors keep one account's orders in sequence.
        concurrency,
        // Finish in-flight orders within the service's own shutdown grace period.
        stopGraceMs: Math.max(1000, readOperationsSettings().shutdownGraceMs - 3000),
        // While an applied order's report is on its way, the next order takes its slot (ADR 0058).
        maxUnacked: concurrency + OrderReports.mostWaiting,
        handler: (order, context) => this.apply(order, context),
        onDeadLetter: (order, reason) => this.deadLettered(order, reason),
      });
      await this.startWhenStreamExists(consumer, connection.id);
      this.consumers.push(consumer);
      this.logger.log({
        msg: 'serving connection',
        connectionId: connection.id,
        connector: connection.connector,
      });
    }
  }

  /**
   * Agents may not create the order streams, only `orders` may (ADR 0010): an agent that comes
   * up first waits for them, for at most AGENT_STREAM_WAIT_MS (default 60 s).
   */
  private async startWhenStreamExists(consumer: OrderConsumer, connectionId: string): Promise<void> {
    const deadline = Date.now() + readAgentStreamWaitMs();
    const policy = retryUntil(
      deadline,
      (error) => error instanceof OrdersStreamMissingError,
      new ConstantBackoff(500),
    );
    policy.onRetry(({ attempt }) => {
      if (attempt === 1)
        this.logger.log({ msg: 'waiting for the orders service to create the order streams', connectionId });
    });
    await policy.execute(() => consumer.start());
  }

  private async apply(order: OrderEnvelope, { signal, freeSlot }: OrderContext): Promise<void> {
    const started = performance.now();
    let call: ConnectorCall;
    try {
      // Inside the try: settings that cannot work (an unset variable) are a permanent error of
      // the order, reported with their message, rather than redelivered until the dead letter.
      const prepared = this.passwords.prepare(order as unknown as OrderToApply);
      const connector = this.pool.connector(order.connectionId);
      // While the connection's target keeps failing the order waits here, its delivery unused.
      // An order that only waits for a write shared with others (a group's modify) gives its
      // slot to the next order: the next modify then carries as many members as came (ADR 0077).
      const progress = { sharingWrite: freeSlot };
      const applied = await this.sequence.run(order, () =>
        this.breakers.run(order.connectionId, () => connector.apply(prepared.order, progress), signal),
      );
      if (applied.stale) {
        // Superseded by the newer order already applied: nothing to report, `orders` closed it.
        this.logger.log({ msg: 'superseded order not applied', orderId: order.orderId });
        return;
      }
      const outcome = applied.result;
      call = connectorCall(order as unknown as OrderToApply, outcome, performance.now() - started);
      await this.passwords.handOver(prepared, outcome);
    } catch (error) {
      if (isConnectorError(error) && error instanceof PermanentConnectorError) {
        const failed = connectorCall(
          order as unknown as OrderToApply,
          undefined,
          performance.now() - started,
        );
        freeSlot();
        await this.report(order, 'errored', error.message, failed);
        return;
      }
      // Transient (or unexpected): let JetStream redeliver with backoff, up to the dead letter.
      this.logger.warn({
        msg: 'order failed, will be retried',
        orderId: order.orderId,
        error: String((error as Error).message ?? error),
      });
      throw error;
    }
    // The connector is done with it: the slot goes to the next order while this one's report
    // is stored. The order stays unacked until then (effectively once, as before).
    freeSlot();
    await this.report(order, 'executed', undefined, call);
  }

  private async deadLettered(order: OrderEnvelope | undefined, reason: string): Promise<void> {
    if (!order) return;
    await this.report(order, 'errored', `gave up after repeated failures: ${reason}`);
  }

  /**
   * Reports an attempt's outcome. The change is already made: when `orders` is briefly away
   * (restarting, NATS reconnecting) the report is retried here, with backoff, for up to
   * AGENT_REPORT_RETRY_MS, instead of burning the message's deliveries on an order that needs
   * no second application. Only after that does the message go back to the queue.
   */
  private async report(
    order: OrderEnvelope,
    outcome: 'executed' | 'errored',
    error?: string,
    call?: ConnectorCall,
  ): Promise<void> {
    const deadline = Date.now() + this.settings.reportRetryMs;
    const policy = retryUntil(deadline, (failure) => !refused(failure), REPORT_BACKOFF);
    policy.onRetry(({ attempt, ...failure }) =>
      this.logger.warn({
        msg: 'report not delivered; retrying',
        orderId: order.orderId,
        attempt,
        error: 'error' in failure ? String(failure.error.message) : String(failure.value),
      }),
    );
    try {
      const result = await policy.execute(() =>
        this.reports.report({
          // Not part of the envelope; `orders` refuses a report without a valid one (a 400).
          assignmentId: order.assignmentId as string,
          orderId: order.orderId,
          attempt: order.attempt,
          outcome,
          // A longer text would be refused, and the order's outcome lost with it.
          ...(error ? { error: error.slice(0, MAX_REPORT_ERROR_LENGTH) } : {}),
          ...(call ? { connectorCall: call } : {}),
        }),
      );
      this.logger.log({
        msg: 'order reported',
        orderId: order.orderId,
        attempt: order.attempt,
        outcome,
        ...result,
      });
    } catch (failure) {
      if (!refused(failure)) throw failure;
      this.logger.warn({
        msg: 'report refused; order left as it is',
        orderId: order.orderId,
        error: failure.message,
      });
    }
  }

  /**
   * Drains before Nest closes the connections: orders in flight finish, are reported and acked;
   * nothing new is pulled. (onApplicationShutdown would be too late: the NATS client that sends
   * the reports closes there.)
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
  }
}

/** A 4xx means the report can never be stored (the order moved on): ack and stop trying. */
function refused(failure: unknown): failure is CommandError {
  return failure instanceof CommandError && failure.status >= 400 && failure.status < 500;
}
