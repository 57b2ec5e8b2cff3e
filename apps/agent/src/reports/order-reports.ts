import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import {
  type BatchCommandReply,
  MAX_BATCH_COMMAND_ITEMS,
  type OrderReportItem,
  type OrderReportOutcome,
} from '@prov/contracts';
import {
  type CommandClient,
  CommandError,
  CommandErrorCodes,
  commandSubject,
  contextFromFields,
  inSpan,
  linksFromFields,
  SpanKind,
  traceFields,
} from '@prov/messaging';
import { Batcher } from './batcher';

/**
 * Two batches out at once: while `orders` records one, the next one is on its way, and the
 * reports of a busy agent still wait at most about one round trip to go out.
 */
const BATCHES_IN_FLIGHT = 2;
/** Far below NATS's payload limit even with long error messages. */
const MAX_BATCH_BYTES = 256 * 1024;

/** Answers of an `orders` older than the batch command: nobody listens on its subject. */
const NOT_SERVED: readonly string[] = [CommandErrorCodes.NoResponders, CommandErrorCodes.NoHandler];
const SUBJECT = commandSubject('orders', 'report-batch');

/**
 * The agent's reports to `orders` (ADR 0054): reports of orders finished close together go as one
 * signed `report-batch` command, each answered on its own, so a report costs one signature, one
 * message and one Nest dispatch per batch instead of per order. An `orders` that does not know
 * the batch command yet (a rolling upgrade) gets the batch's reports one by one, as before, and
 * so does a batch refused as a whole.
 */
export class OrderReports {
  /** Reports the batches in flight hold at most: more waiting would not go out any sooner. */
  static readonly mostWaiting = BATCHES_IN_FLIGHT * MAX_BATCH_COMMAND_ITEMS;

  private readonly batcher: Batcher<OrderReportItem, OrderReportOutcome>;

  constructor(private readonly commands: Pick<CommandClient, 'send'>) {
    this.batcher = new Batcher((items) => this.sendBatch(items), {
      maxItems: MAX_BATCH_COMMAND_ITEMS,
      maxBytes: MAX_BATCH_BYTES,
      maxInFlight: BATCHES_IN_FLIGHT,
      subject: SUBJECT,
    });
  }

  /**
   * Resolves once `orders` stored the report (or said it holds it already); rejects with a
   * `CommandError`. The report carries the trace context of a span of its own, a child of the
   * order's; the batch has a trace of its own, linked to those spans.
   */
  report(item: OrderReportItem): Promise<OrderReportOutcome> {
    return inSpan(
      `create ${SUBJECT}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': SUBJECT,
          'prov.order.id': item.orderId,
        },
      },
      () => this.batcher.submit({ ...item, ...traceFields() }),
    );
  }

  /**
   * A batch is no one order's: it would otherwise run in the trace of whichever report started
   * it (the gathering's turn begins in that report's context), and the other orders' traces
   * would not show it. Its own trace links every report's span.
   */
  private sendBatch(items: OrderReportItem[]): Promise<BatchCommandReply<OrderReportOutcome>> {
    return inSpan(
      `send ${SUBJECT} batch`,
      {
        kind: SpanKind.PRODUCER,
        parent: ROOT_CONTEXT,
        links: linksFromFields(items),
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': SUBJECT,
          'messaging.batch.message_count': items.length,
        },
      },
      () => this.sendBatchNow(items),
    );
  }

  private async sendBatchNow(items: OrderReportItem[]): Promise<BatchCommandReply<OrderReportOutcome>> {
    try {
      return await this.commands.send('orders', 'report-batch', { actor: 'agent', items });
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      // `orders` validates the batch as one message: one item it refuses (an over-long error
      // text, say) refuses them all with a 4xx, which would ack every order of the batch with
      // its report unstored. Sent one by one, only that report is refused.
      const refusedAsAWhole = items.length > 1 && error.status >= 400 && error.status < 500;
      if (!NOT_SERVED.includes(error.code) && !refusedAsAWhole) throw error;
      const results = await Promise.all(
        items.map(({ traceparent, tracestate, ...item }) =>
          // The single report carries the trace context in its headers, from the active context.
          context
            .with(contextFromFields({ traceparent, tracestate }) ?? context.active(), () =>
              this.commands.send<OrderReportOutcome>('orders', 'report', { ...item, actor: 'agent' }),
            )
            .then(
              (value) => ({ value }),
              (failure: unknown) => {
                if (failure instanceof CommandError) return { error: failure.toPayload() };
                throw failure;
              },
            ),
        ),
      );
      return { results };
    }
  }
}
