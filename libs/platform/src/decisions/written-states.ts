import { ProvisioningState } from '@prov/domain';

/**
 * States in which an order was handed to an agent or operator, so its change may already be in
 * the managed system: removing or changing it then needs a real order, not a bookkeeping one.
 */
const MAY_HAVE_BEEN_WRITTEN = new Set<number>([
  ProvisioningState.Pending,
  ProvisioningState.Transmitted,
  ProvisioningState.Errored,
  ProvisioningState.Verified,
  ProvisioningState.Executed,
]);

export function mayHaveBeenWritten(stateCode: number): boolean {
  return MAY_HAVE_BEEN_WRITTEN.has(stateCode);
}
