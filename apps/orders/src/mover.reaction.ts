import { Inject, Injectable, Logger } from '@nestjs/common';
import { deterministicUuid, reactionMetadata } from '@prov/command-handling';
import {
  type AccountChanges,
  type AssignmentCommand,
  type AssignmentState,
  currentOrder,
  plannedAccountChange,
  type RegisteredIdentity,
} from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { identityAttributes, type Reaction, ROLE_MODEL } from '@prov/platform';
import { type RoleModel, RuleEvaluationError } from '@prov/role-model';
import { AssignmentCommands } from './assignment-commands';

/**
 * The mover: when an identity changes, every assignment it holds is evaluated again, and each one
 * whose computed account changed gets an order through the normal path (review when required,
 * agent or operator, verification): a Modified order with only the changed attributes, naming
 * the previous key when the account key changed so that the connector renames the account.
 * The order id comes from the identity event and the assignment, so a repeat writes nothing.
 */
@Injectable()
export class MoverReaction implements Reaction {
  readonly name = 'orders.mover';
  readonly filter = { streamNamePrefixes: ['identity-'], eventTypes: ['IdentityUpdated'] };
  private readonly logger = new Logger('Mover');

  constructor(
    private readonly assignments: AssignmentCommands,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    const identity = await this.assignments.identity((event.data as { identityId: string }).identityId);
    if (!identity.exists) return;
    const now = new Date();
    for (const { assignmentId } of Object.values(identity.holdings)) {
      const orderId = deterministicUuid('order', event.id, assignmentId);
      await this.assignments.execute(
        assignmentId,
        (state) =>
          state.exists && !Object.hasOwn(state.orders, orderId)
            ? this.orderFor(state, identity, orderId, now)
            : undefined,
        reactionMetadata(event, 'orders', now),
        (index) => deterministicUuid('event', orderId, String(index)),
      );
    }
  }

  private orderFor(
    state: Extract<AssignmentState, { exists: true }>,
    identity: RegisteredIdentity,
    orderId: string,
    now: Date,
  ): AssignmentCommand | undefined {
    const base = { assignmentId: state.assignmentId, orderId, now, actor: 'orders' };
    let evaluated;
    try {
      evaluated = this.roleModel.evaluate(identityAttributes(identity), state.entitlementId);
    } catch (error) {
      if (!(error instanceof RuleEvaluationError)) throw error;
      const current = currentOrder(state);
      if (state.workflowState !== 'Requested' || !current?.changeType || current.changeType === 'Deleted')
        return undefined;
      this.logger.warn({
        msg: 'role model evaluation failed for a mover',
        assignmentId: state.assignmentId,
        error: error.message,
      });
      return { ...base, type: 'RecordRoleModelEvaluationFailure', error: error.message };
    }
    const planned = plannedAccountChange(state, evaluated.changes as AccountChanges);
    if (!planned) return undefined;
    return {
      ...base,
      type: 'GenerateProvisioningOrder',
      changeType: planned.changeType,
      connectionId: evaluated.connectionId,
      resourceTypeId: evaluated.resourceTypeId,
      fulfillment: evaluated.fulfillment,
      changes: planned.changes as unknown as Record<string, unknown>,
      requiresReview: evaluated.requiresReview,
    };
  }
}
