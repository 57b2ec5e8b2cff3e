import type { OrderToApply } from '../connector';

/**
 * Builds orders for connector tests: `orderBuilder('hr_app', 'hr_app_account')` gives a
 * function `(changeType, accountKey, group?, attributes?)` with fresh order ids.
 */
export function orderBuilder(connectionId: string, resourceTypeId: string) {
  let sequence = 0;
  return (
    changeType: OrderToApply['changeType'],
    accountKey: string,
    group?: string,
    attributes: Record<string, unknown> = {},
  ): OrderToApply => {
    sequence += 1;
    return {
      orderId: `o-${sequence}`,
      attempt: 1,
      changeType,
      connectionId,
      resourceTypeId,
      identityId: `i-${accountKey}`,
      entitlementId: group ? `${connectionId}_${group}` : `${resourceTypeId}_only`,
      changes: { accountKey, attributes, ...(group ? { group } : {}) },
    };
  };
}
