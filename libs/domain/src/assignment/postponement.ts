import { ProvisioningState } from '../provisioning-state';
import type { ProvisioningOrder } from './assignment.state';

/**
 * A reviewer may postpone an order awaiting approval until a given time: it leaves the review
 * queue until then and comes back by itself. The postponement belongs to the review, so it ends
 * when the order leaves 5 AwaitingApproval, whatever the state stores.
 */
export function postponedUntil(
  order: Pick<ProvisioningOrder, 'stateCode' | 'open' | 'postponedUntil'>,
): string | undefined {
  return order.open && order.stateCode === ProvisioningState.AwaitingApproval
    ? order.postponedUntil
    : undefined;
}

/** True while the order is postponed at `now`. */
export function isPostponed(
  order: Pick<ProvisioningOrder, 'stateCode' | 'open' | 'postponedUntil'>,
  now: Date,
): boolean {
  const until = postponedUntil(order);
  return until !== undefined && Date.parse(until) > now.getTime();
}
