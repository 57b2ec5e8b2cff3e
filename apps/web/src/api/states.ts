/** The nine provisioning states (docs/architecture.md §2): codes and names are fixed. */
export const PROVISIONING_STATES = [
  { code: 0, name: 'None', meaning: 'nothing to provision (also after a decline)' },
  { code: 1, name: 'Pending', meaning: 'ready for provisioning, not yet sent' },
  { code: 2, name: 'Transmitted', meaning: 'handed to operators, no feedback yet' },
  { code: 3, name: 'Errored', meaning: 'the agent or an operator reported an error' },
  { code: 4, name: 'Verified', meaning: 'the change is observed in the managed system' },
  { code: 5, name: 'AwaitingApproval', meaning: 'waiting for a provisioning review' },
  { code: 6, name: 'Inactive', meaning: 'the end date passed before fulfilment' },
  { code: 7, name: 'Error', meaning: 'the role model failed while computing the order' },
  { code: 8, name: 'Executed', meaning: 'the agent or an operator reported success' },
] as const;

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
