import { EndDateNotPassedError } from '../errors';
import { eventData } from '../json';
import { ProvisioningState, type ProvisioningStateCode, toStateView } from '../provisioning-state';
import { requireDate, requireText } from '../validation';
import type { EndAssignment } from './assignment.commands';
import type { AssignmentEvent } from './assignment.events';
import {
  type Assignment,
  currentOrder,
  findOrder,
  openOrders,
  type ProvisioningOrder,
} from './assignment.state';

const { Pending, Transmitted, Errored, Verified, AwaitingApproval, Executed } = ProvisioningState;

/** Not fulfilled yet: when the end date passes these orders are useless (6 Inactive). */
const UNFULFILLED: readonly ProvisioningStateCode[] = [
  Pending,
  Errored,
  AwaitingApproval,
  ProvisioningState.Error,
];

/**
 * Handed to an operator or reported written: the change may be in the managed system, so the end
 * of the assignment must take it out again. Closed orders count too: a Verified `Added` order
 * superseded by a `Modified` one still left its account behind.
 */
const FULFILLED: readonly ProvisioningStateCode[] = [Transmitted, Executed, Verified];

/** What the end of an assignment changes: orders to deactivate, and the access to remove, if any. */
export interface AssignmentEnding {
  deactivate: ProvisioningOrder[];
  /** The order whose change is to be undone by a `Deleted` order. */
  remove?: ProvisioningOrder;
}

function hasEnded(assignment: Assignment, at: Date): boolean {
  return assignment.endsAt !== undefined && Date.parse(assignment.endsAt) <= at.getTime();
}

/**
 * What ending the assignment at `at` would change; undefined when nothing (no end date yet,
 * revoked or declined, or the removal is already under way). Pure, so the timer asks the same
 * question the decider answers.
 */
export function assignmentEnding(assignment: Assignment, at: Date): AssignmentEnding | undefined {
  if (!hasEnded(assignment, at) || assignment.workflowState !== 'Requested') return undefined;
  const current = currentOrder(assignment);
  if (current?.changeType === 'Deleted') return undefined;
  const deactivate = openOrders(assignment).filter(
    (order) => order.changeType !== 'Deleted' && UNFULFILLED.includes(order.stateCode),
  );
  const written = Object.values(assignment.orders).filter(
    (order) =>
      order.changeType !== undefined &&
      order.changeType !== 'Deleted' &&
      order.connectionId !== undefined &&
      order.resourceTypeId !== undefined &&
      order.fulfillment !== undefined &&
      FULFILLED.includes(order.stateCode),
  );
  // The latest written change describes what is there now (orders are kept in generation order).
  const remove = written.includes(current!) ? current : written.at(-1);
  if (deactivate.length === 0 && !remove) return undefined;
  return { deactivate, ...(remove ? { remove } : {}) };
}

/**
 * EndAssignment: one decision for everything the end date changes, so that a crash between
 * deactivating and removing cannot leave access behind. Repeating it changes nothing.
 */
export function decideEnd(command: EndAssignment, assignment: Assignment): AssignmentEvent[] {
  const at = requireDate(command.type, 'now', command.now);
  const orderId = requireText(command.type, 'orderId', command.orderId);
  if (!hasEnded(assignment, command.now)) {
    throw new EndDateNotPassedError(assignment.assignmentId, command.type, assignment.endsAt, at);
  }
  if (findOrder(assignment, orderId)) return [];
  const ending = assignmentEnding(assignment, command.now);
  if (!ending) return [];
  const base = { assignmentId: assignment.assignmentId, at, by: command.actor };
  const events: AssignmentEvent[] = ending.deactivate.map((order) => ({
    type: 'ProvisioningOrderDeactivated',
    data: eventData(base, {
      orderId: order.orderId,
      endsAt: assignment.endsAt!,
      ...toStateView(ProvisioningState.Inactive),
    }),
  }));
  const { remove } = ending;
  if (!remove) return events;
  const deactivated = new Set(ending.deactivate.map((order) => order.orderId));
  for (const order of openOrders(assignment)) {
    if (deactivated.has(order.orderId)) continue;
    events.push({
      type: 'ProvisioningOrderSuperseded',
      data: eventData(base, {
        orderId: order.orderId,
        supersededBy: orderId,
        reason: 'AssignmentEnded' as const,
        ...toStateView(order.stateCode),
      }),
    });
  }
  // Removing access is not held for review, as for a revocation.
  events.push({
    type: 'ProvisioningOrderGenerated',
    data: eventData(base, {
      orderId,
      identityId: assignment.identityId,
      entitlementId: assignment.entitlementId,
      changeType: 'Deleted' as const,
      connectionId: remove.connectionId!,
      resourceTypeId: remove.resourceTypeId!,
      fulfillment: remove.fulfillment!,
      changes: remove.changes,
      requiresReview: false,
      outcome: 'AssignmentEnded' as const,
      reevaluated: false,
      attempt: 1,
      ...toStateView(Pending),
    }),
  });
  return events;
}
