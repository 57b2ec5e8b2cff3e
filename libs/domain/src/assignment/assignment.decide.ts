import {
  AssignmentAlreadyExistsError,
  AssignmentNotFoundError,
  EndDateNotPassedError,
  OrderNotFoundError,
  unknownCommandError,
  ValidationError,
} from '../errors';
import { eventData, withoutUndefined } from '../json';
import { describeState, ProvisioningState, toStateView } from '../provisioning-state';
import { optionalDate, optionalText, requireDate, requireOneOf, requireText } from '../validation';
import type {
  AssignmentCommand,
  OrderTransitionCommand,
  RequestAssignment,
  RevokeAssignment,
} from './assignment.commands';
import type { AssignmentEvent, Reporter } from './assignment.events';
import { type Assignment, type AssignmentState, findOrder, type ProvisioningOrder } from './assignment.state';
import { decideEnd } from './assignment-end';
import { decideEvaluationFailure, decideGeneration } from './order-generation';
import { requireOrderTransition } from './order-transitions';

/**
 * decide(command, state) → events for the assignment aggregate. Pure: everything it needs is
 * on the command or in the state; it refuses with a typed DomainError and never writes.
 */
export function decide(command: AssignmentCommand, state: AssignmentState): AssignmentEvent[] {
  if (command.type === 'RequestAssignment') return request(command, state);
  const assignment = requireAssignment(command, state);
  switch (command.type) {
    case 'RevokeAssignment':
      return revoke(command, assignment);
    case 'EndAssignment':
      return decideEnd(command, assignment);
    case 'GenerateProvisioningOrder':
      return decideGeneration(command, assignment);
    case 'RecordRoleModelEvaluationFailure':
      return decideEvaluationFailure(command, assignment);
    case 'ApproveProvisioningOrder':
    case 'DeclineProvisioningOrder':
    case 'PostponeProvisioningOrder':
    case 'TransmitProvisioningOrder':
    case 'ReportProvisioningOrderExecuted':
    case 'ReportProvisioningOrderErrored':
    case 'ExpireTransmittedValidity':
    case 'VerifyProvisioningOrder':
    case 'RetryProvisioningOrder':
    case 'DeactivateProvisioningOrder':
      return [transition(command, assignment)];
    default:
      throw unknownCommandError(command);
  }
}

function request(command: RequestAssignment, state: AssignmentState): AssignmentEvent[] {
  const type = command.type;
  const assignmentId = requireText(type, 'assignmentId', command.assignmentId);
  const identityId = requireText(type, 'identityId', command.identityId);
  const entitlementId = requireText(type, 'entitlementId', command.entitlementId);
  const at = requireDate(type, 'now', command.now);
  const startsAt = optionalDate(type, 'startsAt', command.startsAt);
  const endsAt = optionalDate(type, 'endsAt', command.endsAt);
  if (startsAt && endsAt && Date.parse(endsAt) <= Date.parse(startsAt)) {
    throw new ValidationError(type, 'endsAt', 'must be after startsAt');
  }
  if (state.exists) throw new AssignmentAlreadyExistsError(assignmentId);
  const comment = optionalText(type, 'comment', command.comment);
  return [
    {
      type: 'AssignmentRequested',
      data: withoutUndefined({
        assignmentId,
        identityId,
        entitlementId,
        startsAt,
        endsAt,
        comment,
        at,
        by: command.actor,
      }),
    },
  ];
}

/**
 * Revoking a revoked assignment changes nothing and is not an error: the caller wants the
 * assignment gone and it is, so a repeated request (a retry, a redelivered message, a double
 * click) succeeds without writing. Revoking does not touch orders itself: order generation then
 * supersedes the open order with a `Deleted` one (docs/architecture.md §2, last row).
 */
function revoke(command: RevokeAssignment, assignment: Assignment): AssignmentEvent[] {
  const at = requireDate(command.type, 'now', command.now);
  if (assignment.workflowState === 'Revoked') return [];
  const { assignmentId, identityId, entitlementId } = assignment;
  const comment = optionalText(command.type, 'comment', command.comment);
  return [
    {
      type: 'AssignmentRevoked',
      data: withoutUndefined({ assignmentId, identityId, entitlementId, comment, at, by: command.actor }),
    },
  ];
}

function requireAssignment(
  command: Exclude<AssignmentCommand, RequestAssignment>,
  state: AssignmentState,
): Assignment {
  const assignmentId = requireText(command.type, 'assignmentId', command.assignmentId);
  if (!state.exists) throw new AssignmentNotFoundError(assignmentId, command.type);
  if (assignmentId !== state.assignmentId) {
    throw new ValidationError(
      command.type,
      'assignmentId',
      `must be ${state.assignmentId}, the assignment of this stream`,
    );
  }
  return state;
}

function requireOrder(command: OrderTransitionCommand, assignment: Assignment): ProvisioningOrder {
  const orderId = requireText(command.type, 'orderId', command.orderId);
  const order = findOrder(assignment, orderId);
  if (!order) throw new OrderNotFoundError(assignment.assignmentId, orderId, command.type);
  return order;
}

const REPORTERS: readonly Reporter[] = ['agent', 'operator'];

/** Moves an existing order along the transition table and returns the one event recording it. */
function transition(command: OrderTransitionCommand, assignment: Assignment): AssignmentEvent {
  const at = requireDate(command.type, 'now', command.now);
  const order = requireOrder(command, assignment);
  const reporter =
    command.type === 'ReportProvisioningOrderExecuted' || command.type === 'ReportProvisioningOrderErrored'
      ? requireOneOf(command.type, 'by', command.by, REPORTERS)
      : undefined;
  requireOrderTransition(command.type, order, reporter);
  const base = { assignmentId: assignment.assignmentId, orderId: order.orderId, at, by: command.actor };

  switch (command.type) {
    case 'ApproveProvisioningOrder':
      requireText(command.type, 'actor', command.actor);
      return {
        type: 'ProvisioningOrderApproved',
        data: eventData(base, {
          comment: optionalText(command.type, 'comment', command.comment),
          ...toStateView(ProvisioningState.Pending),
        }),
      };
    case 'DeclineProvisioningOrder':
      requireText(command.type, 'actor', command.actor);
      return {
        type: 'ProvisioningOrderDeclined',
        data: eventData(base, {
          comment: optionalText(command.type, 'comment', command.comment),
          ...toStateView(ProvisioningState.None),
        }),
      };
    case 'PostponeProvisioningOrder': {
      requireText(command.type, 'actor', command.actor);
      const comment = requireText(command.type, 'comment', command.comment);
      const until = optionalDate(command.type, 'until', command.until);
      if (until !== undefined && Date.parse(until) <= Date.parse(at)) {
        throw new ValidationError(command.type, 'until', 'must be later than now');
      }
      return {
        type: 'ProvisioningOrderPostponed',
        data: eventData(base, {
          comment,
          until,
          ...toStateView(ProvisioningState.AwaitingApproval),
        }),
      };
    }
    case 'TransmitProvisioningOrder':
      return {
        type: 'ProvisioningOrderTransmitted',
        data: eventData(base, {
          connectionId: order.connectionId ?? '',
          ...toStateView(ProvisioningState.Transmitted),
        }),
      };
    case 'ReportProvisioningOrderExecuted':
      return {
        type: 'ProvisioningOrderExecuted',
        data: eventData(base, {
          reportedBy: command.by,
          attempt: order.attempt,
          connectorCall: command.connectorCall,
          ...toStateView(ProvisioningState.Executed),
        }),
      };
    case 'ReportProvisioningOrderErrored':
      return {
        type: 'ProvisioningOrderErrored',
        data: eventData(base, {
          reportedBy: command.by,
          error: requireText(command.type, 'error', command.error),
          attempt: order.attempt,
          connectorCall: command.connectorCall,
          ...toStateView(ProvisioningState.Errored),
        }),
      };
    case 'ExpireTransmittedValidity':
      return {
        type: 'ProvisioningOrderErrored',
        data: eventData(base, {
          reportedBy: 'timer',
          error: `transmitted-validity period expired without verification (order was ${describeState(order.stateCode)})`,
          attempt: order.attempt,
          ...toStateView(ProvisioningState.Errored),
        }),
      };
    case 'VerifyProvisioningOrder':
      return {
        type: 'ProvisioningOrderVerified',
        data: eventData(base, toStateView(ProvisioningState.Verified)),
      };
    case 'RetryProvisioningOrder':
      return {
        type: 'ProvisioningOrderRetried',
        data: eventData(base, {
          attempt: order.attempt + 1,
          automatic: command.automatic ?? false,
          comment: optionalText(command.type, 'comment', command.comment),
          ...toStateView(ProvisioningState.Pending),
        }),
      };
    case 'DeactivateProvisioningOrder': {
      const { endsAt } = assignment;
      if (endsAt === undefined || Date.parse(endsAt) > Date.parse(at)) {
        throw new EndDateNotPassedError(assignment.assignmentId, command.type, endsAt, at);
      }
      return {
        type: 'ProvisioningOrderDeactivated',
        data: eventData(base, { endsAt, ...toStateView(ProvisioningState.Inactive) }),
      };
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
