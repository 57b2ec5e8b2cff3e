import { ProvisioningState, type ProvisioningStateCode } from '@prov/domain';

/**
 * State sets that queries filter on, written as SQL lists from the domain's one state table. They
 * are spelled into the query text rather than bound, so that the planner sees constants (as it
 * did with the literals they replace); the values are the table's integers, never input.
 */
function sqlList(codes: readonly ProvisioningStateCode[]): string {
  return codes.map((code) => String(Math.trunc(code))).join(', ');
}

const { Pending, Transmitted, Errored, Verified, AwaitingApproval, Executed, None } = ProvisioningState;

/** An order in one of these is expected to be (or become) present in the managed system. */
export const EXPECTED_STATES = sqlList([Pending, Transmitted, Errored, Verified, AwaitingApproval, Executed]);

/** States whose order never holds an account key: declined (0) or not computed (7). */
export const WITHOUT_ACCOUNT_STATES = sqlList([None, ProvisioningState.Error]);

/** States of an order handed over whose change may be in the managed system though it is closed. */
export const HANDED_OVER_STATES = sqlList([Transmitted, Verified, Executed]);
