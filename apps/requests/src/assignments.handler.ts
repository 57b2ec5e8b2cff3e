import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { commandMetadata } from '@prov/command-handling';
import { ValidationError } from '@prov/domain';
import { commandSubject } from '@prov/messaging';
import { ROLE_MODEL } from '@prov/platform';
import type { RoleModel } from '@prov/role-model';
import {
  type BatchCommandReply,
  RequestAssignmentBatchMessage,
  RequestAssignmentMessage,
  RevokeAssignmentMessage,
} from '@prov/contracts';
import { eachItem } from './batch-items';
import { EntitlementHoldings } from './lifecycle/entitlement-holdings';

export class EntitlementNotFoundError extends Error {
  override readonly name = 'EntitlementNotFoundError';
  readonly code = 'ENTITLEMENT_NOT_FOUND';
  constructor(entitlementId: string) {
    super(`entitlement '${entitlementId}' is not in the role model in force`);
  }
}

@Controller()
export class AssignmentsHandler {
  constructor(
    private readonly holdings: EntitlementHoldings,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
  ) {}

  /**
   * Records the request; order generation follows from the stored event (orders service). An
   * entitlement the identity already holds answers with its assignment (`created: false`).
   */
  @MessagePattern(commandSubject('requests', 'request-assignment'))
  async request(
    @Payload() dto: RequestAssignmentMessage,
  ): Promise<{ assignmentId: string; created: boolean }> {
    if (!this.roleModel.entitlement(dto.entitlementId)) throw new EntitlementNotFoundError(dto.entitlementId);
    const startsAt = dto.startsAt ? new Date(dto.startsAt) : undefined;
    const endsAt = dto.endsAt ? new Date(dto.endsAt) : undefined;
    if (startsAt && endsAt && endsAt <= startsAt) {
      throw new ValidationError('RequestAssignment', 'endsAt', 'must be after startsAt');
    }
    const now = new Date();
    return this.holdings.hold({
      identityId: dto.identityId,
      entitlementId: dto.entitlementId,
      holder: 'request',
      assignmentId: dto.assignmentId,
      startsAt,
      endsAt,
      comment: dto.comment,
      actor: dto.actor,
      now,
      metadata: commandMetadata(dto, now),
    });
  }

  /** `request-assignment` for each item of the gateway's bulk call, one result per item (ADR 0045). */
  @MessagePattern(commandSubject('requests', 'request-assignment-batch'))
  requestBatch(
    @Payload() dto: RequestAssignmentBatchMessage,
  ): Promise<BatchCommandReply<{ assignmentId: string; created: boolean }>> {
    return eachItem(commandSubject('requests', 'request-assignment-batch'), dto, (command) =>
      this.request(command),
    );
  }

  /** Refused (409) while a birthright rule holds the entitlement. */
  @MessagePattern(commandSubject('requests', 'revoke-assignment'))
  async revoke(@Payload() dto: RevokeAssignmentMessage): Promise<{ assignmentId: string }> {
    const now = new Date();
    await this.holdings.revoke(dto.assignmentId, {
      byRequest: true,
      comment: dto.comment,
      actor: dto.actor,
      now,
      metadata: commandMetadata(dto, now),
    });
    return { assignmentId: dto.assignmentId };
  }
}
