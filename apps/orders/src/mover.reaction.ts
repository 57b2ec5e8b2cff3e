import { Inject, Injectable, Logger } from '@nestjs/common';
import { deterministicUuid, type EventMetadata, reactionMetadata } from '@prov/command-handling';
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
import { AccountOwnership } from './account-ownership';
import { AssignmentCommands } from './assignment-commands';

/** How often an order is planned again when the assignment changed between reading and appending. */
const MAX_PLANS = 5;

/**
 * The mover: when an identity changes, every assignment it holds is evaluated again, and each one
 * whose computed account changed gets an order through the normal path (review when required,
 * agent or operator, verification): a Modified order with only the changed attributes, naming
 * the previous key when the account key changed so that the connector renames the account.
 * Like every generated order it passes AccountOwnership.guard. The order id comes from the
 * identity event and the assignment, so a repeat writes nothing.
 */
@Injectable()
export class MoverReaction implements Reaction {
  readonly name = 'orders.mover';
  readonly filter = { streamNamePrefixes: ['identity-'], eventTypes: ['IdentityUpdated'] };
  private readonly logger = new Logger('Mover');

  constructor(
    private readonly assignments: AssignmentCommands,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    private readonly ownership: AccountOwnership,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    const identity = await this.assignments.identity((event.data as { identityId: string }).identityId);
    if (!identity.exists) return;
    const now = new Date();
    const metadata = reactionMetadata(event, 'orders', now);
    for (const { assignmentId } of Object.values(identity.holdings)) {
      const orderId = deterministicUuid('order', event.id, assignmentId);
      await this.generate(assignmentId, identity, orderId, now, metadata);
    }
  }

  /**
   * Plans the order from the assignment as read, passes it through the ownership guard (the one
   * place every generated order passes: a new key that is another identity's account gives 7
   * Error naming both), and appends it if the assignment has not moved on meanwhile; if it has,
   * the order is planned again from what it is now.
   */
  private async generate(
    assignmentId: string,
    identity: RegisteredIdentity,
    orderId: string,
    now: Date,
    metadata: EventMetadata,
  ): Promise<void> {
    for (let attempt = 1; attempt <= MAX_PLANS; attempt++) {
      const state = await this.assignments.load(assignmentId);
      if (!state.exists || Object.hasOwn(state.orders, orderId)) return;
      const command = this.orderFor(state, identity, orderId, now);
      if (!command) return;
      const planned = await this.ownership.guard(command, identity.identityId, metadata);
      const basis = currentOrder(state);
      let stale = false;
      await this.assignments.execute(
        assignmentId,
        (latest) => {
          if (!latest.exists || Object.hasOwn(latest.orders, orderId)) return undefined;
          const current = currentOrder(latest);
          stale = current?.orderId !== basis?.orderId || current?.stateCode !== basis?.stateCode;
          return stale ? undefined : planned;
        },
        metadata,
        (index) => deterministicUuid('event', orderId, String(index)),
      );
      if (!stale) return;
    }
    this.logger.warn({
      msg: 'mover order not generated: the assignment kept changing',
      assignmentId,
      orderId,
    });
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
