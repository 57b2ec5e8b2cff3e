import { ProvisioningState } from '@prov/domain';
import { nextRetryDelayMs, type RetryPolicy } from '@prov/role-model';

/**
 * What is due, given an order's state and the clock. Pure: the timers service reads the orders
 * and the clock, asks these rules, and appends what they say through the domain, which refuses a
 * second firing because the order has moved on. End dates are the domain's `assignmentEnding`.
 */

const { Pending, Transmitted, Errored, Executed } = ProvisioningState;

/** The order fields the rules look at (a row of the read model). */
export interface TimedOrderFacts {
  provisioningStateCode: number;
  fulfillment: string | null;
  attempt: number;
  /** Time of the order's last event: its transmission, execution, error… */
  updatedAt: Date;
}

/**
 * The transmitted-validity period of the resource type bounds how long an order may wait for
 * whoever must act next:
 * - 2 Transmitted waits for an operator: past the period it is 3 Errored.
 * - 8 Executed waits for verification, which only a synchronization can give. It is Errored only
 *   when a synchronization of its connection ran after the execution and did not observe it
 *   (else it would be Verified) and the period has passed. A connection that is never read back
 *   (a manual one without a manual synchronization) cannot contradict the operator: the
 *   operator's confirmation stays final.
 */
export function validityExpired(
  order: TimedOrderFacts,
  validityMs: number | null,
  lastSynchronizedAt: Date | undefined,
  now: Date,
): boolean {
  if (validityMs === null) return false;
  const expired = order.updatedAt.getTime() + validityMs <= now.getTime();
  if (order.provisioningStateCode === Transmitted) return expired;
  if (order.provisioningStateCode === Executed) {
    return expired && lastSynchronizedAt !== undefined && lastSynchronizedAt > order.updatedAt;
  }
  return false;
}

/** An Errored automatic order is retried by its policy: after the delay for its attempt, while attempts remain. */
export function retryDue(order: TimedOrderFacts, policy: RetryPolicy, now: Date): boolean {
  if (order.provisioningStateCode !== Errored || order.fulfillment !== 'automatic') return false;
  const delay = nextRetryDelayMs(policy, order.attempt);
  return delay !== null && order.updatedAt.getTime() + delay <= now.getTime();
}

/**
 * A Pending automatic order with no report after the dispatch timeout is published again: its
 * message may have been lost with a NATS node, or its dead letter never reported. Unless its
 * connection's queue still holds an order stored before that timeout ran out (`oldestQueuedAt`,
 * ADR 0076): the order was published before then, so its own message may be waiting there too,
 * and a second copy would only lengthen the queue it waits in.
 */
export function redispatchDue(
  order: TimedOrderFacts,
  dispatchTimeoutMs: number,
  now: Date,
  oldestQueuedAt?: Date,
): boolean {
  const timedOutAt = order.updatedAt.getTime() + dispatchTimeoutMs;
  return (
    order.provisioningStateCode === Pending &&
    order.fulfillment === 'automatic' &&
    timedOutAt <= now.getTime() &&
    (oldestQueuedAt === undefined || timedOutAt < oldestQueuedAt.getTime())
  );
}

/**
 * The timers' scans read only orders that can be due: one last changed after `now` less the
 * shortest of the delays (a retry policy's first delay, a validity period, the dispatch timeout)
 * is due under none of them. Returns the exclusive bound on the last change (a millisecond past
 * the cut-off, as the read model keeps microseconds and the rules compare milliseconds), or
 * undefined when no delay applies and the scan can be skipped.
 */
export function lastChangeBound(delaysMs: readonly (number | null)[], now: Date): Date | undefined {
  const delays = delaysMs.filter((delay): delay is number => delay !== null);
  if (delays.length === 0) return undefined;
  return new Date(now.getTime() - Math.min(...delays) + 1);
}

/**
 * An Errored order whose attempt reached the most attempts any policy allows waits for a person,
 * whatever its resource type: the retry scan reads only orders below this (exclusive) bound.
 */
export function retryAttemptsBound(policies: readonly RetryPolicy[]): number {
  return Math.max(1, ...policies.map((policy) => policy.maxAttempts));
}

/** The first retry's delay: later ones are no shorter. null when the policy never retries. */
export function shortestRetryDelayMs(policy: RetryPolicy): number | null {
  return nextRetryDelayMs(policy, 1);
}

/**
 * An Executed order expires only once its connection was read back after it (validityExpired):
 * on a connection never read back none can, and past its last read-back none yet. The exclusive
 * bound on the last change of its Executed orders that can be due, or undefined when none can.
 */
export function executedChangeBound(
  validityBound: Date | undefined,
  lastSynchronizedAt: Date | undefined,
): Date | undefined {
  if (!lastSynchronizedAt) return undefined;
  return earlier(validityBound, lastSynchronizedAt);
}

/**
 * The bound on the last change of a connection's Pending orders that can be due to be sent
 * again (redispatchDue): past the dispatch timeout, which ran out before the oldest order still
 * queued was stored.
 */
export function redispatchChangeBound(
  timeoutBound: Date | undefined,
  dispatchTimeoutMs: number,
  oldestQueuedAt: Date | undefined,
): Date | undefined {
  if (!oldestQueuedAt) return timeoutBound;
  return earlier(timeoutBound, new Date(oldestQueuedAt.getTime() - dispatchTimeoutMs));
}

function earlier(bound: Date | undefined, other: Date): Date | undefined {
  return bound && other < bound ? other : bound;
}
