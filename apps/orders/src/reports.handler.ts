import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { commandMetadata } from '@prov/command-handling';
import {
  type BatchCommandReply,
  OrderReportBatchMessage,
  OrderReportMessage,
  type OrderReportOutcome,
} from '@prov/contracts';
import { commandErrorPayload, commandSubject, contextFromFields, inSpan, SpanKind } from '@prov/messaging';
import { eachItem, isDatabaseUnavailable } from '@prov/platform';
import { AssignmentCommands } from './assignment-commands';
import { orderUndoneBy, reportDecision } from './decisions/order-progress.decisions';
import { OrderDispatcher } from './order-dispatcher';
import { SynchronizationPageDto, SynchronizationReportDto } from './reports.dto';
import { MissingReadBackPagesError } from './read-back-pages.store';
import {
  databaseBusy,
  SynchronizationBusyError,
  SynchronizationInProgressError,
  SynchronizationOfAnotherConnectionError,
} from './synchronization-claims';
import { SynchronizationService } from './synchronization.service';

const REPORT_BATCH = commandSubject('orders', 'report-batch');

/** Feedback from agents: order results and synchronization read-backs. */
@Controller()
export class ReportsHandler {
  private readonly logger = new Logger('Synchronization');

  constructor(
    private readonly assignments: AssignmentCommands,
    private readonly synchronization: SynchronizationService,
    private readonly dispatcher: OrderDispatcher,
  ) {}

  /**
   * Records an agent's result. A repeated report (the agent died after reporting and the order
   * was redelivered) and a report for an attempt that is no longer current change nothing and
   * say so, so the agent can ack its message. An order applied after the newer one that
   * superseded it gets the newer one sent again (ADR 0065), whatever the answer.
   */
  @MessagePattern(commandSubject('orders', 'report'))
  async report(@Payload() dto: OrderReportMessage): Promise<OrderReportOutcome> {
    const now = new Date();
    let reason: OrderReportOutcome['reason'];
    let undone: ReturnType<typeof orderUndoneBy>;
    try {
      const outcome = await this.assignments.execute(
        dto.assignmentId,
        (state) => {
          undone = orderUndoneBy(state, dto);
          const decision = reportDecision(state, dto, now);
          reason = decision.reason;
          return decision.command;
        },
        commandMetadata({ actor: dto.actor ?? 'agent' }, now),
      );
      const order = outcome.state.exists ? outcome.state.orders[dto.orderId] : undefined;
      return {
        recorded: outcome.events.length > 0,
        ...(reason ? { reason } : {}),
        provisioningStateCode: order?.stateCode ?? 0,
      };
    } finally {
      // Before the answer: a failed send fails the report, which the agent then sends again.
      if (undone) await this.dispatcher.reapply(undone.assignment, undone.order, dto.orderId);
    }
  }

  /**
   * The reports of orders an agent finished close together (ADR 0054): one signature, one
   * message and one validation pass for all of them. Each item is recorded as `report` records
   * it, all at once so that their appends share commits, and answered on its own. Each is
   * recorded in the trace of its order, whose context the item carries.
   */
  @MessagePattern(REPORT_BATCH)
  reportBatch(@Payload() dto: OrderReportBatchMessage): Promise<BatchCommandReply<OrderReportOutcome>> {
    return eachItem(
      REPORT_BATCH,
      { items: dto.items, actor: dto.actor ?? 'agent' },
      ({ traceparent, tracestate, ...report }) =>
        inSpan(
          'record order report',
          {
            kind: SpanKind.CONSUMER,
            parent: contextFromFields({ traceparent, tracestate }),
            attributes: { 'messaging.destination.name': REPORT_BATCH, 'prov.order.id': report.orderId },
          },
          () => this.report(report),
        ),
    );
  }

  /**
   * Records a read-back once (ADR 0074): a report delivered again answers the first recording's
   * outcome. 409 while another replica has been recording it for longer than a delivery waits;
   * 503 when this replica has no room for another recording or no database connection (the
   * driver's own message stays in the log: it can name hosts).
   */
  @MessagePattern(commandSubject('sync', 'report'))
  async synchronize(@Payload() dto: SynchronizationReportDto) {
    try {
      return await this.synchronization.record(dto);
    } catch (error) {
      if (error instanceof MissingReadBackPagesError) {
        throw new RpcException(commandErrorPayload('ValidationError', 422, `pages: ${error.message}`));
      }
      if (error instanceof SynchronizationOfAnotherConnectionError) {
        throw new RpcException(
          commandErrorPayload('ValidationError', 422, `synchronizationId: ${error.message}`),
        );
      }
      if (error instanceof SynchronizationInProgressError) {
        throw new RpcException(commandErrorPayload('SynchronizationInProgress', 409, error.message));
      }
      const busy =
        error instanceof SynchronizationBusyError
          ? error
          : isDatabaseUnavailable(error) && databaseBusy(dto.synchronizationId, error);
      if (busy) {
        if (busy.cause) this.logger.warn({ msg: 'synchronization not recorded', error: String(busy.cause) });
        throw new RpcException(commandErrorPayload('SynchronizationBusy', 503, busy.message));
      }
      throw error;
    }
  }

  /** A page of a read-back too large for one message (ADR 0025); the report follows. */
  @MessagePattern(commandSubject('sync', 'report-page'))
  synchronizationPage(@Payload() dto: SynchronizationPageDto) {
    return this.synchronization.recordPage(dto);
  }
}
