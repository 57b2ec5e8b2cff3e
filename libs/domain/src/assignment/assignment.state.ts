import {
  isTerminalState,
  ProvisioningState,
  type ProvisioningStateCode,
  type ProvisioningStateName,
} from '../provisioning-state';
import type { AssignmentEvent, ChangeType, Fulfillment } from './assignment.events';
import { copyWith } from '../copy-with';

/**
 * The state of one assignment, folded from its stream. Timestamps stay ISO strings as in the
 * events, so a folded state is JSON-safe and compares equal however it was built.
 */

/** `Requested` until a review declines an order or the assignment is revoked. */
export type WorkflowState = 'Requested' | 'Declined' | 'Revoked';

/** Why an order is closed: its terminal state, or a newer order took its place. */
export type OrderClosedReason =
  Extract<ProvisioningStateName, 'None' | 'Verified' | 'Inactive'> | 'Superseded';

export interface ProvisioningOrder {
  orderId: string;
  /** Unknown (undefined) for an order whose first evaluation failed (7 Error). */
  changeType?: ChangeType;
  connectionId?: string;
  resourceTypeId?: string;
  fulfillment?: Fulfillment;
  changes: Record<string, unknown>;
  requiresReview: boolean;
  stateCode: ProvisioningStateCode;
  /** Fulfilment attempt, 1 for the first; a retry adds one. */
  attempt: number;
  lastError?: string;
  postponedUntil?: string;
  open: boolean;
  closedReason?: OrderClosedReason;
  supersededBy?: string;
  /** Time of the order's last event. */
  updatedAt: string;
}

export interface NoAssignment {
  exists: false;
}

export interface Assignment {
  exists: true;
  assignmentId: string;
  identityId: string;
  entitlementId: string;
  startsAt?: string;
  endsAt?: string;
  requestedAt: string;
  requestedBy?: string;
  workflowState: WorkflowState;
  revokedAt?: string;
  orders: Readonly<Record<string, ProvisioningOrder>>;
  /** The order generated last (the one the assignment's provisioning state is read from). */
  currentOrderId?: string;
}

export type AssignmentState = NoAssignment | Assignment;

export function initialState(): AssignmentState {
  return { exists: false };
}

/** An order is open until it reaches a terminal state or is superseded. */
export function isOpen(order: ProvisioningOrder): boolean {
  return order.open;
}

/** The order with this id; own keys only, so ids like `constructor` are just ids. */
export function findOrder(state: AssignmentState, orderId: string): ProvisioningOrder | undefined {
  return state.exists && Object.hasOwn(state.orders, orderId) ? state.orders[orderId] : undefined;
}

export function currentOrder(state: AssignmentState): ProvisioningOrder | undefined {
  return state.exists && state.currentOrderId !== undefined
    ? findOrder(state, state.currentOrderId)
    : undefined;
}

export function openOrders(state: AssignmentState): ProvisioningOrder[] {
  return state.exists ? Object.values(state.orders).filter(isOpen) : [];
}

const CLOSED_REASON_BY_STATE: Partial<Record<ProvisioningStateCode, OrderClosedReason>> = {
  [ProvisioningState.None]: 'None',
  [ProvisioningState.Verified]: 'Verified',
  [ProvisioningState.Inactive]: 'Inactive',
};

/** An open order that has reached a terminal state is closed. */
function closeIfTerminal(order: ProvisioningOrder): ProvisioningOrder {
  if (!order.open || !isTerminalState(order.stateCode)) return order;
  return copyWith(order, { open: false, closedReason: CLOSED_REASON_BY_STATE[order.stateCode] });
}

function moveTo(order: ProvisioningOrder, stateCode: ProvisioningStateCode, at: string): ProvisioningOrder {
  return closeIfTerminal(copyWith(order, { stateCode, updatedAt: at }));
}

/**
 * An empty map of orders by id: an object without a prototype, so that an order id is only ever
 * an own key (`orders['constructor']` of an assignment without such an order is undefined, not
 * Object's constructor) and so that V8 keeps it a dictionary: a plain object got a hidden class
 * of its own for every new order id, which made this copy the dearest step of a replay (ADR 0070).
 */
function noOrders(): Record<string, ProvisioningOrder> {
  return Object.create(null) as Record<string, ProvisioningOrder>;
}

function withOrder(state: Assignment, order: ProvisioningOrder, current?: string): Assignment {
  const orders = noOrders();
  // Own keys of a state read back from JSON as well: its orders are a plain object there.
  for (const orderId of Object.keys(state.orders)) orders[orderId] = state.orders[orderId];
  orders[order.orderId] = order;
  return copyWith(state, current === undefined ? { orders } : { orders, currentOrderId: current });
}

/** Applies `change` to an existing order; events about unknown orders change nothing. */
function updateOrder(
  state: Assignment,
  orderId: string,
  change: (order: ProvisioningOrder) => ProvisioningOrder,
): Assignment {
  const order = findOrder(state, orderId);
  return order ? withOrder(state, change(order)) : state;
}

function supersede(order: ProvisioningOrder, by: string, at: string): ProvisioningOrder {
  return copyWith(order, { open: false, closedReason: 'Superseded', supersededBy: by, updatedAt: at });
}

/**
 * Folds one event into the state. Pure and total: it never throws, and ignores events it does
 * not know or that do not fit (an order event before the request, an unknown order id).
 */
export function evolve(state: AssignmentState, event: AssignmentEvent): AssignmentState {
  if (event.type === 'AssignmentRequested') {
    if (state.exists) return state;
    const { assignmentId, identityId, entitlementId, startsAt, endsAt, at, by } = event.data;
    return {
      exists: true,
      assignmentId,
      identityId,
      entitlementId,
      ...(startsAt !== undefined ? { startsAt } : {}),
      ...(endsAt !== undefined ? { endsAt } : {}),
      requestedAt: at,
      ...(by !== undefined ? { requestedBy: by } : {}),
      workflowState: 'Requested',
      orders: noOrders(),
    };
  }
  if (!state.exists) return state;

  switch (event.type) {
    case 'AssignmentRevoked':
      return copyWith(state, { workflowState: 'Revoked', revokedAt: event.data.at });

    case 'ProvisioningOrderGenerated': {
      const { orderId, changeType, connectionId, resourceTypeId, fulfillment, changes, requiresReview } =
        event.data;
      const previous = findOrder(state, orderId);
      const order = closeIfTerminal({
        orderId,
        changeType,
        connectionId,
        resourceTypeId,
        fulfillment,
        changes,
        requiresReview,
        stateCode: event.data.provisioningStateCode,
        attempt: event.data.attempt,
        ...(previous?.lastError !== undefined ? { lastError: previous.lastError } : {}),
        open: true,
        updatedAt: event.data.at,
      });
      return withOrder(state, order, orderId);
    }

    case 'RoleModelEvaluationFailed': {
      const { orderId, error, at } = event.data;
      const previous = findOrder(state, orderId);
      const order: ProvisioningOrder = previous
        ? copyWith(previous, { stateCode: ProvisioningState.Error, lastError: error, updatedAt: at })
        : {
            orderId,
            changes: {},
            requiresReview: false,
            stateCode: ProvisioningState.Error,
            attempt: 1,
            lastError: error,
            open: true,
            updatedAt: at,
          };
      return withOrder(state, order, orderId);
    }

    case 'ProvisioningOrderApproved':
    case 'ProvisioningOrderTransmitted':
    case 'ProvisioningOrderExecuted':
    case 'ProvisioningOrderVerified':
    case 'ProvisioningOrderDeactivated':
      return updateOrder(state, event.data.orderId, (order) =>
        moveTo(order, event.data.provisioningStateCode, event.data.at),
      );

    case 'ProvisioningOrderPostponed': {
      const { until, at } = event.data;
      return updateOrder(state, event.data.orderId, (order) => {
        const { postponedUntil: _previous, ...rest } = moveTo(order, event.data.provisioningStateCode, at);
        return until !== undefined ? copyWith(rest, { postponedUntil: until }) : rest;
      });
    }

    case 'ProvisioningOrderDeclined': {
      const declined = updateOrder(state, event.data.orderId, (order) =>
        moveTo(order, event.data.provisioningStateCode, event.data.at),
      );
      return declined === state ? state : copyWith(declined, { workflowState: 'Declined' });
    }

    case 'ProvisioningOrderErrored':
      return updateOrder(state, event.data.orderId, (order) =>
        copyWith(moveTo(order, event.data.provisioningStateCode, event.data.at), {
          lastError: event.data.error,
        }),
      );

    case 'ProvisioningOrderRetried':
      return updateOrder(state, event.data.orderId, (order) =>
        copyWith(moveTo(order, event.data.provisioningStateCode, event.data.at), {
          attempt: event.data.attempt,
        }),
      );

    case 'ProvisioningOrderSuperseded':
      return updateOrder(state, event.data.orderId, (order) =>
        supersede(order, event.data.supersededBy, event.data.at),
      );

    default:
      return state;
  }
}
