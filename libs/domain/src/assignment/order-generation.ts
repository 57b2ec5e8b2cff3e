import { AssignmentWorkflowError, InvalidTransitionError } from '../errors';
import { eventData, jsonEqual } from '../json';
import { ProvisioningState, toStateView } from '../provisioning-state';
import { requireBoolean, requireDate, requireOneOf, requireRecord, requireText } from '../validation';
import type { GenerateProvisioningOrder, RecordRoleModelEvaluationFailure } from './assignment.commands';
import type {
  AssignmentEvent,
  ChangeType,
  Fulfillment,
  GenerationOutcome,
  OrderOrigin,
  ProvisioningOrderGenerated,
  ProvisioningOrderSuperseded,
} from './assignment.events';
import { type Assignment, findOrder, openOrders, type ProvisioningOrder } from './assignment.state';
import { requireOrderTransition } from './order-transitions';

/**
 * Order generation: the role model's verdict for an assignment becomes a provisioning order.
 *
 * - A new order id creates an order and supersedes every other open order of the assignment,
 *   so an assignment has at most one open order. A failed evaluation creates an order in
 *   7 Error and supersedes too: the old order no longer describes what the role model wants.
 * - The id of an order in 7 Error evaluates that order again (7 → 1/5, or 7 → 7 on a new error).
 * - The same generation sent twice (a redelivered message) changes nothing.
 */

const CHANGE_TYPES: readonly ChangeType[] = ['Added', 'Modified', 'Deleted'];
const FULFILLMENTS: readonly Fulfillment[] = ['automatic', 'manual'];

type InitialStateCode = ProvisioningOrderGenerated['data']['provisioningStateCode'];

/**
 * The first state of a generated order. The end-date rule does not apply to `Deleted` orders:
 * removing the access is exactly what an ended assignment needs.
 */
export function initialOrderState(
  command: Pick<GenerateProvisioningOrder, 'changeType' | 'requiresReview' | 'alreadyPresent' | 'now'>,
  assignment: Pick<Assignment, 'endsAt'>,
): { stateCode: InitialStateCode; outcome: GenerationOutcome } {
  const ended = assignment.endsAt !== undefined && Date.parse(assignment.endsAt) <= command.now.getTime();
  if (ended && command.changeType !== 'Deleted')
    return { stateCode: ProvisioningState.Inactive, outcome: 'EndDatePassed' };
  if (command.alreadyPresent) return { stateCode: ProvisioningState.Verified, outcome: 'AlreadyPresent' };
  if (command.requiresReview)
    return { stateCode: ProvisioningState.AwaitingApproval, outcome: 'ReviewRequired' };
  return { stateCode: ProvisioningState.Pending, outcome: 'ReadyForProvisioning' };
}

function guardWorkflow(assignment: Assignment, command: string, changeType?: ChangeType): void {
  if (assignment.workflowState === 'Declined') {
    throw new AssignmentWorkflowError(
      assignment.assignmentId,
      'Declined',
      command,
      'no orders after a decline',
    );
  }
  if (assignment.workflowState === 'Revoked' && changeType !== undefined && changeType !== 'Deleted') {
    throw new AssignmentWorkflowError(assignment.assignmentId, 'Revoked', command, 'only Deleted orders');
  }
}

function sameDefinition(order: ProvisioningOrder, command: GenerateProvisioningOrder): boolean {
  return (
    order.changeType === command.changeType &&
    order.connectionId === command.connectionId &&
    order.resourceTypeId === command.resourceTypeId &&
    order.fulfillment === command.fulfillment &&
    order.requiresReview === command.requiresReview &&
    jsonEqual(order.changes, command.changes)
  );
}

/** Superseded events for every open order other than `newOrderId`. */
function supersedeOthers(
  assignment: Assignment,
  newOrderId: string,
  at: string,
): ProvisioningOrderSuperseded[] {
  const reason = assignment.workflowState === 'Revoked' ? 'AssignmentRevoked' : 'RoleModelChanged';
  return openOrders(assignment)
    .filter((order) => order.orderId !== newOrderId)
    .map((order) => ({
      type: 'ProvisioningOrderSuperseded',
      data: {
        assignmentId: assignment.assignmentId,
        orderId: order.orderId,
        at,
        supersededBy: newOrderId,
        reason,
        ...toStateView(order.stateCode),
      },
    }));
}

function validateGeneration(command: GenerateProvisioningOrder): void {
  const type = command.type;
  requireText(type, 'orderId', command.orderId);
  requireOneOf(type, 'changeType', command.changeType, CHANGE_TYPES);
  requireText(type, 'connectionId', command.connectionId);
  requireText(type, 'resourceTypeId', command.resourceTypeId);
  requireOneOf(type, 'fulfillment', command.fulfillment, FULFILLMENTS);
  requireRecord(type, 'changes', command.changes);
  requireBoolean(type, 'requiresReview', command.requiresReview);
  if (command.alreadyPresent !== undefined) requireBoolean(type, 'alreadyPresent', command.alreadyPresent);
}

/** A revoked assignment's orders remove access; otherwise the order serves whoever asked for the assignment. */
export function orderOrigin(assignment: Pick<Assignment, 'workflowState' | 'requestedBy'>): OrderOrigin {
  if (assignment.workflowState === 'Revoked') return 'revocation';
  return assignment.requestedBy?.startsWith('rule:') ? (assignment.requestedBy as OrderOrigin) : 'request';
}

export function decideGeneration(
  command: GenerateProvisioningOrder,
  assignment: Assignment,
): AssignmentEvent[] {
  validateGeneration(command);
  const at = requireDate(command.type, 'now', command.now);
  const existing = findOrder(assignment, command.orderId);
  if (existing && existing.stateCode !== ProvisioningState.Error) {
    if (sameDefinition(existing, command)) return [];
    if (!existing.open) requireOrderTransition(command.type, existing);
    throw new InvalidTransitionError({
      command: command.type,
      orderId: existing.orderId,
      state: existing.stateCode,
      detail: 'the order was already generated with a different definition',
    });
  }
  guardWorkflow(assignment, command.type, command.changeType);
  if (existing) requireOrderTransition(command.type, existing);

  const { stateCode, outcome } = initialOrderState(command, assignment);
  const generated: ProvisioningOrderGenerated = {
    type: 'ProvisioningOrderGenerated',
    data: eventData(orderEventHead(assignment, command, at), {
      changeType: command.changeType,
      connectionId: command.connectionId,
      resourceTypeId: command.resourceTypeId,
      fulfillment: command.fulfillment,
      changes: command.changes,
      requiresReview: command.requiresReview,
      outcome,
      reevaluated: existing !== undefined,
      attempt: existing?.attempt ?? 1,
      roleModelVersion: command.roleModelVersion,
      origin: orderOrigin(assignment),
      ...toStateView(stateCode),
    }),
  };
  return [...supersedeOthers(assignment, command.orderId, at), generated];
}

/** How both events of a role-model evaluation begin: whose order, when and by whom. */
function orderEventHead(assignment: Assignment, command: { orderId: string; actor?: string }, at: string) {
  return {
    assignmentId: assignment.assignmentId,
    orderId: command.orderId,
    at,
    by: command.actor,
    identityId: assignment.identityId,
    entitlementId: assignment.entitlementId,
  };
}

export function decideEvaluationFailure(
  command: RecordRoleModelEvaluationFailure,
  assignment: Assignment,
): AssignmentEvent[] {
  requireText(command.type, 'orderId', command.orderId);
  const error = requireText(command.type, 'error', command.error);
  const at = requireDate(command.type, 'now', command.now);
  const existing = findOrder(assignment, command.orderId);
  if (existing) requireOrderTransition(command.type, existing);
  guardWorkflow(assignment, command.type);
  if (existing?.lastError === error) return [];
  const failed: AssignmentEvent = {
    type: 'RoleModelEvaluationFailed',
    data: eventData(orderEventHead(assignment, command, at), {
      error,
      ...toStateView(ProvisioningState.Error),
    }),
  };
  return [...(existing ? [] : supersedeOthers(assignment, command.orderId, at)), failed];
}
