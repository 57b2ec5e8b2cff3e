import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { commandMetadata, handleCommand } from '@prov/command-handling';
import { type AssignmentCommand, assignmentDecider, assignmentStreamName, stateName } from '@prov/domain';
import type { EventStore } from '@prov/event-store';
import { commandSubject } from '@prov/messaging';
import { EVENT_STORE } from '@prov/platform';
import { OrderDecisionMessage, PostponeOrderMessage, ReportManualErrorMessage } from '@prov/contracts';

export interface DecisionOutcome {
  assignmentId: string;
  orderId: string;
  provisioningState: string;
  provisioningStateCode: number;
}

/**
 * Provisioning review (approve, decline, postpone, retry) and manual provisioning (confirm,
 * report an error). Each decision is checked against the order's state when it is appended,
 * so of two reviewers approving the same order one succeeds and the other gets a 409.
 */
@Controller()
export class ReviewHandler {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @MessagePattern(commandSubject('review', 'approve'))
  approve(@Payload() dto: OrderDecisionMessage) {
    return this.decide(dto, (base) => ({ ...base, type: 'ApproveProvisioningOrder', comment: dto.comment }));
  }

  @MessagePattern(commandSubject('review', 'decline'))
  decline(@Payload() dto: OrderDecisionMessage) {
    return this.decide(dto, (base) => ({ ...base, type: 'DeclineProvisioningOrder', comment: dto.comment }));
  }

  @MessagePattern(commandSubject('review', 'postpone'))
  postpone(@Payload() dto: PostponeOrderMessage) {
    return this.decide(dto, (base) => ({
      ...base,
      type: 'PostponeProvisioningOrder',
      comment: dto.comment ?? 'postponed',
      until: dto.until ? new Date(dto.until) : undefined,
    }));
  }

  @MessagePattern(commandSubject('review', 'retry'))
  retry(@Payload() dto: OrderDecisionMessage) {
    return this.decide(dto, (base) => ({
      ...base,
      type: 'RetryProvisioningOrder',
      comment: dto.comment,
      automatic: false,
    }));
  }

  @MessagePattern(commandSubject('review', 'confirm'))
  confirm(@Payload() dto: OrderDecisionMessage) {
    return this.decide(dto, (base) => ({ ...base, type: 'ReportProvisioningOrderExecuted', by: 'operator' }));
  }

  @MessagePattern(commandSubject('review', 'report-error'))
  reportError(@Payload() dto: ReportManualErrorMessage) {
    return this.decide(dto, (base) => ({
      ...base,
      type: 'ReportProvisioningOrderErrored',
      by: 'operator',
      error: dto.error,
    }));
  }

  private async decide(
    dto: OrderDecisionMessage,
    build: (base: { assignmentId: string; orderId: string; now: Date; actor: string }) => AssignmentCommand,
  ): Promise<DecisionOutcome> {
    const now = new Date();
    const outcome = await handleCommand(
      this.store,
      assignmentDecider,
      assignmentStreamName(dto.assignmentId),
      build({ assignmentId: dto.assignmentId, orderId: dto.orderId, now, actor: dto.actor }),
      { metadata: commandMetadata(dto, now) },
    );
    const order = outcome.state.exists ? outcome.state.orders[dto.orderId] : undefined;
    const code = order?.stateCode ?? 0;
    return {
      assignmentId: dto.assignmentId,
      orderId: dto.orderId,
      provisioningState: stateName(code),
      provisioningStateCode: code,
    };
  }
}
