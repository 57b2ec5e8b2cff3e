import { InvalidTransitionError } from '../errors';
import { copyWith } from '../copy-with';
import { ProvisioningState, type ProvisioningStateCode } from '../provisioning-state';
import type { OrderCommandType } from './assignment.commands';
import type { ChangeType, Fulfillment, Reporter } from './assignment.events';
import type { ProvisioningOrder } from './assignment.state';

// `Error` is state 7; renamed so the global Error stays usable in this module.
const { None, Pending, Transmitted, Errored, Verified, AwaitingApproval, Inactive, Executed } =
  ProvisioningState;
const EvaluationError = ProvisioningState.Error;

/** Who triggers a transition, as docs/architecture.md §2 names it. */
export type TransitionTrigger =
  'order generation' | 'reviewer' | 'agent' | 'operator' | 'timer' | 'synchronization' | 'reviewer / timer';

/**
 * One row of the transition table: `command` moves an existing open order from any of `from` to
 * `to`, provided the order (and, for reports, the reporter) meets the conditions given.
 */
export interface OrderTransition {
  command: OrderCommandType;
  from: readonly ProvisioningStateCode[];
  to: ProvisioningStateCode | readonly ProvisioningStateCode[];
  /** Only for orders of a connection with this fulfillment. */
  fulfillment?: Fulfillment;
  /** Only when this reporter reports (ReportProvisioningOrder… commands). */
  reporter?: Reporter;
  /** Not for orders with one of these change types. */
  exceptChangeTypes?: readonly ChangeType[];
  by: TransitionTrigger;
}

/**
 * The transitions of existing orders (docs/architecture.md §2); every other (state, command) pair is
 * refused with InvalidTransitionError. New orders are not transitions: their first state is
 * chosen by order generation (see order-generation.ts).
 *
 * Two choices where the architecture is silent:
 * - re-evaluating an order in 7 applies the generation rules, so besides 1 or 5 it can land in
 *   4 (change already present) or 6 (end date passed meanwhile);
 * - a `Deleted` order is never deactivated: removing access is what an ended assignment needs.
 */
// prettier-ignore
export const ORDER_TRANSITIONS: readonly OrderTransition[] = [
  { command: 'GenerateProvisioningOrder', from: [EvaluationError], to: [Pending, AwaitingApproval, Verified, Inactive], by: 'order generation' },
  { command: 'RecordRoleModelEvaluationFailure', from: [EvaluationError], to: EvaluationError, by: 'order generation' },
  { command: 'ApproveProvisioningOrder', from: [AwaitingApproval], to: Pending, by: 'reviewer' },
  { command: 'DeclineProvisioningOrder', from: [AwaitingApproval], to: None, by: 'reviewer' },
  { command: 'PostponeProvisioningOrder', from: [AwaitingApproval], to: AwaitingApproval, by: 'reviewer' },
  { command: 'TransmitProvisioningOrder', from: [Pending], to: Transmitted, fulfillment: 'manual', by: 'order generation' },
  { command: 'ReportProvisioningOrderExecuted', from: [Pending], to: Executed, fulfillment: 'automatic', reporter: 'agent', by: 'agent' },
  { command: 'ReportProvisioningOrderErrored', from: [Pending], to: Errored, fulfillment: 'automatic', reporter: 'agent', by: 'agent' },
  { command: 'ReportProvisioningOrderExecuted', from: [Transmitted], to: Executed, fulfillment: 'manual', reporter: 'operator', by: 'operator' },
  { command: 'ReportProvisioningOrderErrored', from: [Transmitted], to: Errored, fulfillment: 'manual', reporter: 'operator', by: 'operator' },
  { command: 'ExpireTransmittedValidity', from: [Transmitted, Executed], to: Errored, by: 'timer' },
  { command: 'VerifyProvisioningOrder', from: [Executed], to: Verified, by: 'synchronization' },
  { command: 'RetryProvisioningOrder', from: [Errored], to: Pending, by: 'reviewer / timer' },
  { command: 'DeactivateProvisioningOrder', from: [Pending, Errored, AwaitingApproval, EvaluationError], to: Inactive, exceptChangeTypes: ['Deleted'], by: 'timer' },
];

/** What the table's conditions look at. */
export interface TransitionSubject {
  stateCode: ProvisioningStateCode;
  fulfillment?: Fulfillment;
  changeType?: ChangeType;
  reporter?: Reporter;
}

function meetsConditions(rule: OrderTransition, subject: TransitionSubject): boolean {
  return (
    (rule.fulfillment === undefined || rule.fulfillment === subject.fulfillment) &&
    (rule.reporter === undefined || rule.reporter === subject.reporter) &&
    (rule.exceptChangeTypes === undefined ||
      subject.changeType === undefined ||
      !rule.exceptChangeTypes.includes(subject.changeType))
  );
}

/** The row that allows `command` for the subject, if any. Open/closed is not looked at here. */
export function findOrderTransition(
  command: OrderCommandType,
  subject: TransitionSubject,
): OrderTransition | undefined {
  return ORDER_TRANSITIONS.find(
    (rule) =>
      rule.command === command && rule.from.includes(subject.stateCode) && meetsConditions(rule, subject),
  );
}

/** The states from which `command` is allowed for orders (and reporters) like `conditions`. */
export function allowedFromStates(
  command: OrderCommandType,
  conditions: Omit<TransitionSubject, 'stateCode'> = {},
): ProvisioningStateCode[] {
  const states = ORDER_TRANSITIONS.filter(
    (rule) => rule.command === command && meetsConditions(rule, copyWith(conditions, { stateCode: None })),
  ).flatMap((rule) => rule.from);
  return [...new Set(states)].sort((a, b) => a - b);
}

function describeConditions(rule: OrderTransition): string {
  const parts = [
    rule.reporter && `when reported by the ${rule.reporter}`,
    rule.fulfillment &&
      `for orders of ${rule.fulfillment === 'manual' ? 'a manual' : 'an automatic'} connection`,
    rule.exceptChangeTypes && `for orders other than ${rule.exceptChangeTypes.join(' or ')} ones`,
  ].filter(Boolean);
  return `allowed from this state only ${parts.join(' ')}`;
}

/**
 * The row that allows `command` on this order, or an InvalidTransitionError naming the order's
 * state and the command (and, when the state would do, the condition the order misses).
 */
export function requireOrderTransition(
  command: OrderCommandType,
  order: ProvisioningOrder,
  reporter?: Reporter,
): OrderTransition {
  const refuse = (detail?: string) =>
    new InvalidTransitionError({ command, orderId: order.orderId, state: order.stateCode, detail });
  if (!order.open) {
    throw refuse(
      order.closedReason === 'Superseded' ? `closed, superseded by ${order.supersededBy}` : 'closed',
    );
  }
  const subject: TransitionSubject = {
    stateCode: order.stateCode,
    fulfillment: order.fulfillment,
    changeType: order.changeType,
    reporter,
  };
  const rule = findOrderTransition(command, subject);
  if (rule) return rule;
  const nearMiss = ORDER_TRANSITIONS.find((r) => r.command === command && r.from.includes(order.stateCode));
  throw refuse(nearMiss ? describeConditions(nearMiss) : undefined);
}
