import {
  type AccountChanges,
  type AssignmentCommand,
  type AssignmentState,
  currentOrder,
  type GenerateProvisioningOrder,
  plannedAccountChange,
  type ProvisioningOrder,
  type RecordRoleModelEvaluationFailure,
  type RegisteredIdentity,
} from '@prov/domain';
import { identityAttributes, mayHaveBeenWritten } from '@prov/platform';
import { type RoleModel, RuleEvaluationError } from '@prov/role-model';

/**
 * What order an assignment gets, given its state, the identity and the role model: pure, so the
 * reactions (order-generation.reaction.ts, mover.reaction.ts) only read, guard and append.
 */

type Existing = Extract<AssignmentState, { exists: true }>;
/** The part of the role model the decisions use. */
export type Evaluator = Pick<RoleModel, 'evaluate'>;

/** Requested and without any order yet: its first order is still to be generated. */
export function awaitsInitialOrder(state: AssignmentState): state is Existing {
  return state.exists && Object.keys(state.orders).length === 0 && state.workflowState === 'Requested';
}

/**
 * Whether the assignment's current order is still the one a decision was based on (same order,
 * same state): if not, the assignment moved on and the decision is taken again or dropped.
 */
export function onSameCurrentOrder(latest: AssignmentState, basis: ProvisioningOrder | undefined): boolean {
  const current = currentOrder(latest);
  return current?.orderId === basis?.orderId && current?.stateCode === basis?.stateCode;
}

/** The first order of a request: the role model's account for the identity, or 7 Error saying why not. */
export function orderForRequest(
  state: Existing,
  orderId: string,
  now: Date,
  identity: RegisteredIdentity | undefined,
  roleModel: Evaluator,
): GenerateProvisioningOrder | RecordRoleModelEvaluationFailure {
  const base = { assignmentId: state.assignmentId, orderId, now, actor: 'orders' };
  if (!identity) {
    return {
      type: 'RecordRoleModelEvaluationFailure',
      error: `identity ${state.identityId} is not registered`,
      ...base,
    };
  }
  try {
    const evaluated = roleModel.evaluate(identityAttributes(identity), state.entitlementId);
    return {
      type: 'GenerateProvisioningOrder',
      changeType: 'Added',
      connectionId: evaluated.connectionId,
      resourceTypeId: evaluated.resourceTypeId,
      fulfillment: evaluated.fulfillment,
      changes: evaluated.changes as unknown as Record<string, unknown>,
      requiresReview: evaluated.requiresReview,
      ...base,
    };
  } catch (error) {
    if (!(error instanceof RuleEvaluationError)) throw error;
    return { type: 'RecordRoleModelEvaluationFailure', error: error.message, ...base };
  }
}

/**
 * A revocation removes what the orders wrote. Removal is not held for review: taking access
 * away should not wait for a reviewer. When no order can have reached the managed system
 * (it never left review or evaluation), the removal is already true: the order is generated
 * as observed (4 Verified) and nothing is sent.
 */
export function orderForRevocation(
  state: Existing,
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

function withoutPreviousKey(changes: Record<string, unknown>): Record<string, unknown> {
  const { previousAccountKey: _previous, ...rest } = changes;
  return rest;
}

/**
 * The mover's order for one assignment of a changed identity: a Modified (or Added) order with
 * what the account's computed values now differ in, 7 Error when a rule now throws for a live
 * account, or nothing when the account is unchanged.
 */
export function orderForMover(
  state: Existing,
  identity: RegisteredIdentity,
  orderId: string,
  now: Date,
  roleModel: Evaluator,
): AssignmentCommand | undefined {
  const base = { assignmentId: state.assignmentId, orderId, now, actor: 'orders' };
  let evaluated;
  try {
    evaluated = roleModel.evaluate(identityAttributes(identity), state.entitlementId);
  } catch (error) {
    if (!(error instanceof RuleEvaluationError)) throw error;
    const current = currentOrder(state);
    if (state.workflowState !== 'Requested' || !current?.changeType || current.changeType === 'Deleted')
      return undefined;
    return { type: 'RecordRoleModelEvaluationFailure', error: error.message, ...base };
  }
  const planned = plannedAccountChange(state, evaluated.changes as AccountChanges);
  if (!planned) return undefined;
  return {
    type: 'GenerateProvisioningOrder',
    changeType: planned.changeType,
    connectionId: evaluated.connectionId,
    resourceTypeId: evaluated.resourceTypeId,
    fulfillment: evaluated.fulfillment,
    changes: planned.changes as unknown as Record<string, unknown>,
    requiresReview: evaluated.requiresReview,
    ...base,
  };
}
