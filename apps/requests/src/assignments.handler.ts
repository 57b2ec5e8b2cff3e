import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { commandMetadata, handleCommand, loadStream } from '@prov/command-handling';
import {
  assignmentDecider,
  assignmentStreamName,
  IdentityNotFoundError,
  identityDecider,
  identityStreamName,
  ValidationError,
} from '@prov/domain';
import type { EventStore } from '@prov/event-store';
import { commandSubject } from '@prov/messaging';
import { EVENT_STORE, ROLE_MODEL } from '@prov/platform';
import type { RoleModel } from '@prov/role-model';
import { RequestAssignmentDto, RevokeAssignmentDto } from './assignments.dto';

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
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
  ) {}

  /** Records the request; order generation follows from the stored event (orders service). */
  @MessagePattern(commandSubject('requests', 'request-assignment'))
  async request(@Payload() dto: RequestAssignmentDto): Promise<{ assignmentId: string }> {
    if (!this.roleModel.entitlement(dto.entitlementId)) throw new EntitlementNotFoundError(dto.entitlementId);
    const identity = await loadStream(this.store, identityDecider, identityStreamName(dto.identityId));
    if (!identity.state.exists) throw new IdentityNotFoundError(dto.identityId);
    const startsAt = dto.startsAt ? new Date(dto.startsAt) : undefined;
    const endsAt = dto.endsAt ? new Date(dto.endsAt) : undefined;
    if (startsAt && endsAt && endsAt <= startsAt) {
      throw new ValidationError('RequestAssignment', 'endsAt', 'must be after startsAt');
    }
    const now = new Date();
    const assignmentId = dto.assignmentId ?? randomUUID();
    await handleCommand(
      this.store,
      assignmentDecider,
      assignmentStreamName(assignmentId),
      {
        type: 'RequestAssignment',
        assignmentId,
        identityId: dto.identityId,
        entitlementId: dto.entitlementId,
        startsAt,
        endsAt,
        comment: dto.comment,
        now,
        actor: dto.actor,
      },
      { metadata: commandMetadata(dto, now) },
    );
    return { assignmentId };
  }

  @MessagePattern(commandSubject('requests', 'revoke-assignment'))
  async revoke(@Payload() dto: RevokeAssignmentDto): Promise<{ assignmentId: string }> {
    const now = new Date();
    await handleCommand(
      this.store,
      assignmentDecider,
      assignmentStreamName(dto.assignmentId),
      { type: 'RevokeAssignment', assignmentId: dto.assignmentId, comment: dto.comment, now, actor: dto.actor },
      { metadata: commandMetadata(dto, now) },
    );
    return { assignmentId: dto.assignmentId };
  }
}
