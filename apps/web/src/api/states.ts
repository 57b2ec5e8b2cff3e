import { PROVISIONING_STATE_CODES, type ProvisioningStateCode, stateName } from '@prov/domain';

/** What each of the nine provisioning states means, in words for the console's people. */
const MEANINGS: Record<ProvisioningStateCode, string> = {
  0: 'nothing to provision (also after a decline)',
  1: 'ready for provisioning, not yet sent',
  2: 'handed to operators, no feedback yet',
  3: 'the agent or an operator reported an error',
  4: 'the change is observed in the managed system',
  5: 'waiting for a provisioning review',
  6: 'the end date passed before fulfilment',
  7: 'the role model failed while computing the order',
  8: 'the agent or an operator reported success',
};

/** The nine provisioning states (docs/architecture.md §2): codes and names from the domain's one table. */
export const PROVISIONING_STATES = PROVISIONING_STATE_CODES.map((code) => ({
  code,
  name: stateName(code),
  meaning: MEANINGS[code],
}));

export function stateMeaning(code: number): string {
  return PROVISIONING_STATES.find((state) => state.code === code)?.meaning ?? 'unknown state';
}

/** Tone of a state's badge: colour is never the only signal, the badge always shows code and name. */
export function stateTone(
  code: number,
): 'neutral' | 'progress' | 'attention' | 'danger' | 'success' | 'muted' {
  switch (code) {
    case 4:
    case 8:
      return 'success';
    case 1:
    case 2:
      return 'progress';
    case 5:
      return 'attention';
    case 3:
    case 7:
      return 'danger';
    case 6:
      return 'muted';
    default:
      return 'neutral';
  }
}

/** Event types of an assignment's history, in words. */
export const EVENT_LABELS: Record<string, string> = {
  AssignmentRequested: 'Requested',
  AssignmentRevoked: 'Revoked',
  ProvisioningOrderGenerated: 'Order generated',
  RoleModelEvaluationFailed: 'Role model failed',
  ProvisioningOrderApproved: 'Approved',
  ProvisioningOrderDeclined: 'Declined',
  ProvisioningOrderPostponed: 'Postponed',
  ProvisioningOrderTransmitted: 'Transmitted to operators',
  ProvisioningOrderExecuted: 'Executed',
  ProvisioningOrderErrored: 'Errored',
  ProvisioningOrderRetried: 'Retried',
  ProvisioningOrderVerified: 'Verified',
  ProvisioningOrderDeactivated: 'Deactivated',
  ProvisioningOrderSuperseded: 'Superseded',
};

export function eventLabel(type: string): string {
  return EVENT_LABELS[type] ?? type.replace(/([a-z])([A-Z])/g, '$1 $2');
}
