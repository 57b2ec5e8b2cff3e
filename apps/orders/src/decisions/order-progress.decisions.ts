import {
  type Assignment,
  type AssignmentCommand,
  assignmentEnding,
  type AssignmentState,
  type ConnectorCall,
  copyWith,
  currentOrder,
  type ProvisioningOrder,
  ProvisioningState,
  type TransmitProvisioningOrder,
  type VerifyProvisioningOrder,
} from '@prov/domain';

/**
 * What moves an order along, given the assignment as it is when the command is appended: pure, so
 * the handlers and timers only read and append. Each returns nothing when the order has moved
 * on since it was read, so a repeat or a race appends nothing.
 */

const { Pending, Executed, Errored, Verified } = ProvisioningState;

function orderOf(state: AssignmentState, orderId: string): ProvisioningOrder | undefined {
  return state.exists ? state.orders[orderId] : undefined;
}

type SimpleTransition = TransmitProvisioningOrder | VerifyProvisioningOrder;

/** The transition `type` by `actor`, appended only while the order is still in `stateCode`. */
function whileIn<T extends SimpleTransition['type']>(stateCode: number, type: T, actor: string) {
  return (assignmentId: string, orderId: string, now: Date) =>
    (state: AssignmentState): Extract<SimpleTransition, { type: T }> | undefined =>
      orderOf(state, orderId)?.stateCode === stateCode
        ? ({ type, assignmentId, orderId, now, actor } as Extract<SimpleTransition, { type: T }>)
        : undefined;
}

/** A Pending order of a manual connection goes to the operators (once: only while it is Pending). */
export const transmitIfPending = whileIn(Pending, 'TransmitProvisioningOrder', 'orders');

/** Synchronization saw the executed change: the order is verified, unless it left 8 Executed meanwhile. */
export const verifyIfExecuted = whileIn(Executed, 'VerifyProvisioningOrder', 'synchronization');

/** An agent's result for one attempt of an order (reports.dto.ts). */
export interface AgentReport {
  assignmentId: string;
  orderId: string;
  attempt: number;
  outcome: 'executed' | 'errored';
  error?: string;
  actor?: string;
  connectorCall?: ConnectorCall;
}

export interface ReportDecision {
  command?: AssignmentCommand;
  /** Why nothing is recorded: the report repeats one already stored, or is for an older attempt. */
  reason?: 'already-recorded' | 'stale-attempt';
}

/**
 * Records an agent's result. A repeated report (the agent died after reporting and the order
 * was redelivered) and a report for an attempt that is no longer current record nothing and say
 * why, so the agent can ack its message.
 */
export function reportDecision(state: AssignmentState, report: AgentReport, now: Date): ReportDecision {
  const order = orderOf(state, report.orderId);
  if (order && order.attempt !== report.attempt) return { reason: 'stale-attempt' };
  const done = report.outcome === 'executed' ? Executed : Errored;
  if (order && (order.stateCode === done || (done === Executed && order.stateCode === Verified))) {
    return { reason: 'already-recorded' };
  }
  const base = {
    assignmentId: report.assignmentId,
    orderId: report.orderId,
    now,
    actor: report.actor ?? 'agent',
    by: 'agent' as const,
    ...(report.connectorCall ? { connectorCall: { ...report.connectorCall } } : {}),
  };
  const command = (
    report.outcome === 'executed'
      ? { type: 'ReportProvisioningOrderExecuted', ...base }
      : { type: 'ReportProvisioningOrderErrored', error: report.error ?? 'unknown error', ...base }
  ) as AssignmentCommand;
  return { command };
}

/**
 * The order to send again when an agent says it applied an order that a newer one had
 * superseded (ADR 0065): applied after the newer one, it may have undone it. That happens when
 * the agent that applied it had not seen the newer one (a restarted agent, another agent of the
 * connection); an agent that had skips it and reports nothing. The newest order is sent again
 * if it may be applied already (Pending: its report may be on its way; Executed; Verified);
 * one still waiting for review or a retry is applied later anyway.
 */
const MAY_BE_APPLIED: ReadonlySet<number> = new Set([Pending, Executed, Verified]);

export function orderUndoneBy(
  state: AssignmentState,
  report: Pick<AgentReport, 'orderId' | 'outcome'>,
): { assignment: Assignment; order: ProvisioningOrder } | undefined {
  if (!state.exists || report.outcome !== 'executed') return undefined;
  if (orderOf(state, report.orderId)?.closedReason !== 'Superseded') return undefined;
  const newest = currentOrder(state);
  if (!newest || newest.orderId === report.orderId || newest.fulfillment !== 'automatic') return undefined;
  return MAY_BE_APPLIED.has(newest.stateCode) ? { assignment: state, order: newest } : undefined;
}

/** The order as a timer saw it (a row of the read model). */
export interface TimedOrderSeen {
  assignmentId: string;
  orderId: string;
  provisioningStateCode: number;
  attempt: number;
}

/**
 * A timer's transition (retry, validity expiry) for the order it saw due, unless the order has
 * moved on since (closed, another state, another attempt): then nothing fires.
 */
export function timerCommand(
  state: AssignmentState,
  seen: TimedOrderSeen,
  command: { type: AssignmentCommand['type'] } & Record<string, unknown>,
  now: Date,
): AssignmentCommand | undefined {
  const current = orderOf(state, seen.orderId);
  if (!current?.open || current.stateCode !== seen.provisioningStateCode || current.attempt !== seen.attempt)
    return undefined;
  return copyWith(command, {
    assignmentId: seen.assignmentId,
    orderId: seen.orderId,
    now,
    actor: 'timer',
  }) as unknown as AssignmentCommand;
}

/** The end-date timer's command, while the assignment's end date has passed and it is not ended yet. */
export function endAssignmentCommand(
  state: AssignmentState,
  assignmentId: string,
  orderId: string,
  now: Date,
): AssignmentCommand | undefined {
  return state.exists && assignmentEnding(state, now)
    ? { type: 'EndAssignment', assignmentId, orderId, now, actor: 'timer' }
    : undefined;
}

/** The order a lost dispatch publishes again: still Pending in the attempt the timer saw, else none. */
export function redispatchable(state: AssignmentState, seen: TimedOrderSeen): ProvisioningOrder | undefined {
  const current = orderOf(state, seen.orderId);
  return current?.stateCode === Pending && current.attempt === seen.attempt ? current : undefined;
}
