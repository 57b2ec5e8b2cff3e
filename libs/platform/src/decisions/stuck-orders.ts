import { ProvisioningState, stateName, type ProvisioningStateCode } from '@prov/domain';

/** What an order is waiting for, in the words of the stuck-orders list. */
export type StuckReason =
  | 'waiting-for-review'
  | 'waiting-for-operator'
  | 'unreachable-connection'
  | 'waiting-for-retry'
  | 'waiting-for-verification'
  | 'role-model-error';

/** The fields of an open order the decision looks at. */
export interface OpenOrder {
  orderId: string;
  provisioningStateCode: number;
  fulfillment: string | null;
  connectionId: string | null;
  lastError?: string;
  /** When it entered its state (its last event). */
  updatedAt: string;
  postponedUntil?: string;
}

export interface StuckVerdict {
  reason: StuckReason;
  /** In words, for the console. */
  why: string;
  inStateMs: number;
  /** How far past the service level. */
  overdueMs: number;
  serviceLevelMs: number;
}

/** Errors that say the managed system could not be reached at all (network, DNS, refused, timed out). */
const UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|unreachable|timed? ?out|could not connect|connection refused/i;

function reasonFor(order: OpenOrder): { reason: StuckReason; why: string } {
  const connection = order.connectionId ?? '(no connection)';
  switch (order.provisioningStateCode) {
    case ProvisioningState.AwaitingApproval:
      return { reason: 'waiting-for-review', why: 'waiting for a provisioning review (approve or decline)' };
    case ProvisioningState.Transmitted:
      return {
        reason: 'waiting-for-operator',
        why: `waiting for an operator to confirm the change on ${connection}`,
      };
    case ProvisioningState.Pending:
      return order.fulfillment === 'manual'
        ? { reason: 'waiting-for-operator', why: `not yet handed to the operators of ${connection}` }
        : {
            reason: 'unreachable-connection',
            why: `no agent has reported on it: connection ${connection} or its agent is not reachable`,
          };
    case ProvisioningState.Errored:
      return order.fulfillment !== 'manual' && UNREACHABLE.test(order.lastError ?? '')
        ? {
            reason: 'unreachable-connection',
            why: `connection ${connection} could not be reached: ${order.lastError}`,
          }
        : {
            reason: 'waiting-for-retry',
            why: `failed (${order.lastError ?? 'no message'}); waiting for a retry or a reviewer`,
          };
    case ProvisioningState.Executed:
      return {
        reason: 'waiting-for-verification',
        why: `written, but no synchronization of ${connection} has observed it yet`,
      };
    default:
      return {
        reason: 'role-model-error',
        why: `the role model cannot compute it: ${order.lastError ?? 'no message'}`,
      };
  }
}

/**
 * Whether an open order has been in its state longer than the state's service level, and why it
 * waits. A postponement by a reviewer is a decision, not a delay: the order counts from when it ends.
 */
export function stuckVerdict(
  order: OpenOrder,
  now: Date,
  serviceLevels: Readonly<Record<number, number>>,
): StuckVerdict | undefined {
  const serviceLevelMs = serviceLevels[order.provisioningStateCode];
  if (serviceLevelMs === undefined) return undefined;
  const postponed = order.postponedUntil ? Date.parse(order.postponedUntil) : 0;
  const since = Math.max(Date.parse(order.updatedAt), postponed);
  const inStateMs = now.getTime() - Date.parse(order.updatedAt);
  const overdueMs = now.getTime() - since - serviceLevelMs;
  if (overdueMs <= 0) return undefined;
  return { ...reasonFor(order), inStateMs, overdueMs, serviceLevelMs };
}

/** The state's name, for messages. */
export function stateOf(order: OpenOrder): string {
  return stateName(order.provisioningStateCode as ProvisioningStateCode);
}
