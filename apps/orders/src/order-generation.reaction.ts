import { Inject, Injectable, Logger } from '@nestjs/common';
import { commandMetadata, deterministicUuid, reactionMetadata } from '@prov/command-handling';
import {
  type AssignmentRequested,
  type AssignmentRevoked,
  type AssignmentState,
  currentOrder,
  type GenerateProvisioningOrder,
  type RecordRoleModelEvaluationFailure,
  type RegisteredIdentity,
} from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { ROLE_MODEL } from '@prov/platform';
import { type RoleModel, RuleEvaluationError } from '@prov/role-model';
import { identityAttributes, type Reaction } from '@prov/platform';
import { AccountOwnership } from './account-ownership';
import { AssignmentCommands } from './assignment-commands';
import { mayHaveBeenWritten } from './written-states';

export { identityAttributes };

/**
 * Turns requests and revocations into provisioning orders by evaluating the role model. The
 * order id is derived from the event that caused it, so handling the same event twice (after
 * a crash before the checkpoint) finds the order already there and does nothing.
 */
@Injectable()
export class OrderGenerationReaction implements Reaction {
  readonly name = 'orders.order-generation';
  readonly filter = {
    streamNamePrefixes: ['assignment-'],
    eventTypes: ['AssignmentRequested', 'AssignmentRevoked'],
  };
  private readonly logger = new Logger('OrderGeneration');

  constructor(
    private readonly assignments: AssignmentCommands,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    private readonly ownership: AccountOwnership,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    const data = event.data as (AssignmentRequested | AssignmentRevoked)['data'];
    const now = new Date();
    if (event.type === 'AssignmentRequested') {
      const startsAt = (data as AssignmentRequested['data']).startsAt;
      // Not before its start date: the orders service's timers generate it when the day comes.
      if (startsAt && new Date(startsAt) > now) return;
      await this.generateInitialOrder(data.assignmentId, now, event, data.identityId);
      return;
    }
    const orderId = deterministicUuid('order', event.id);
    await this.assignments.execute(
      data.assignmentId,
      (state) =>
        state.exists && !state.orders[orderId] ? this.orderForRevocation(state, orderId, now) : undefined,
      reactionMetadata(event, 'orders', now),
      (index) => deterministicUuid('event', event.id, String(index)),
    );
  }

  /**
   * Generates now what the assignment's request and revocation call for, rather than when this
   * reaction gets to them: the complete job fulfils, in the same run, the assignments its
   * evaluation just requested or revoked. The ids derived from the events make both agree.
   */
  async catchUp(assignmentId: string): Promise<void> {
    for (const event of await this.assignments.events(assignmentId)) {
      if (this.filter.eventTypes.includes(event.type)) await this.handle(event);
    }
  }

  /**
   * Generates an assignment's first order, once: the order id is derived from the assignment, so
   * the reaction and the start-date timer (or a repeat of either) agree on it and only the first
   * one writes. With the identity known from the request, the assignment and the identity are
   * read at once, and the order is appended with the assignment's revision as read (issue 11:
   * each sequential round trip here bounds the rate of the whole engine).
   */
  async generateInitialOrder(
    assignmentId: string,
    now: Date,
    cause?: RecordedEvent,
    identityId?: string,
  ): Promise<boolean> {
    const orderId = deterministicUuid('order', assignmentId, 'initial');
    const [loaded, knownIdentity] = await Promise.all([
      this.assignments.loadStream(assignmentId),
      identityId ? this.assignments.identity(identityId) : undefined,
    ]);
    const current = loaded.state;
    if (!current.exists || Object.keys(current.orders).length > 0 || current.workflowState !== 'Requested')
      return false;
    // An assignment never changes identity, so the request's is the one to read (else read it now).
    const identity =
      knownIdentity && current.identityId === identityId
        ? knownIdentity
        : await this.assignments.identity(current.identityId);
    const metadata = cause
      ? reactionMetadata(cause, 'orders', now)
      : commandMetadata({ actor: 'timer' }, now);
    const planned = await this.ownership.guard(
      this.orderForRequest(current, orderId, now, identity.exists ? identity : undefined),
      current.identityId,
      metadata,
    );
    const outcome = await this.assignments.execute(
      assignmentId,
      (state) =>
        !state.exists || Object.keys(state.orders).length > 0 || state.workflowState !== 'Requested'
          ? undefined
          : planned,
      metadata,
      (index) => deterministicUuid('event', orderId, String(index)),
      loaded,
    );
    return outcome.events.length > 0;
  }

  private orderForRequest(
    state: Extract<AssignmentState, { exists: true }>,
    orderId: string,
    now: Date,
    identity: RegisteredIdentity | undefined,
  ): GenerateProvisioningOrder | RecordRoleModelEvaluationFailure {
    const base = { assignmentId: state.assignmentId, orderId, now, actor: 'orders' };
    if (!identity) {
      return {
        ...base,
        type: 'RecordRoleModelEvaluationFailure',
        error: `identity ${state.identityId} is not registered`,
      };
    }
    try {
      const evaluated = this.roleModel.evaluate(identityAttributes(identity), state.entitlementId);
      return {
        ...base,
        type: 'GenerateProvisioningOrder',
        changeType: 'Added',
        connectionId: evaluated.connectionId,
        resourceTypeId: evaluated.resourceTypeId,
        fulfillment: evaluated.fulfillment,
        changes: evaluated.changes as unknown as Record<string, unknown>,
        requiresReview: evaluated.requiresReview,
      };
    } catch (error) {
      if (!(error instanceof RuleEvaluationError)) throw error;
      this.logger.warn({
        msg: 'role model evaluation failed',
        assignmentId: state.assignmentId,
        error: error.message,
      });
      return { ...base, type: 'RecordRoleModelEvaluationFailure', error: error.message };
    }
  }

  /**
   * A revocation removes what the orders wrote. Removal is not held for review: taking access
   * away should not wait for a reviewer. When no order can have reached the managed system
   * (it never left review or evaluation), the removal is already true: the order is generated
   * as observed (4 Verified) and nothing is sent.
   */
  private orderForRevocation(
    state: Extract<AssignmentState, { exists: true }>,
    orderId: string,
    now: Date,
  ): GenerateProvisioningOrder | undefined {
    const last = currentOrder(state);
    if (!last?.connectionId || !last.resourceTypeId || !last.fulfillment || last.changeType === 'Deleted')
      return undefined;
    const written = Object.values(state.orders).some(
      (order) =>
        order.changeType !== 'Deleted' &&
        order.connectionId !== undefined &&
        mayHaveBeenWritten(order.stateCode),
    );
    return {
      type: 'GenerateProvisioningOrder',
      assignmentId: state.assignmentId,
      orderId,
      now,
      actor: 'orders',
      changeType: 'Deleted',
      connectionId: last.connectionId,
      resourceTypeId: last.resourceTypeId,
      fulfillment: last.fulfillment,
      // A Deleted order removes the account under its current key; a rename is history by now.
      changes: withoutPreviousKey(last.changes),
      requiresReview: false,
      alreadyPresent: !written,
    };
  }
}

function withoutPreviousKey(changes: Record<string, unknown>): Record<string, unknown> {
  const { previousAccountKey: _previous, ...rest } = changes;
  return rest;
}
