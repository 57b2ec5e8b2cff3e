import type {
  AssignmentCommand,
  GenerateProvisioningOrder,
  OrderCommandType,
} from '../assignment/assignment.commands';
import type {
  AssignmentEvent,
  AssignmentRequested,
  Fulfillment,
  ProvisioningOrderGenerated,
  RoleModelEvaluationFailed,
} from '../assignment/assignment.events';
import { ProvisioningState, type ProvisioningStateCode, toStateView } from '../provisioning-state';

/**
 * Builders for assignment events and commands, for tests of the domain and of the services that
 * use it. Times are fixed: `minutes(n)` is n minutes after T0.
 */

export const T0 = new Date('2030-01-01T08:00:00.000Z');
export const ASSIGNMENT_ID = 'a-1';
export const IDENTITY_ID = 'i-1';
export const ENTITLEMENT_ID = 'e-1';

export function minutes(n: number): Date {
  return new Date(T0.getTime() + n * 60_000);
}

export function iso(date: Date): string {
  return date.toISOString();
}

export function requestedEvent(data: Partial<AssignmentRequested['data']> = {}): AssignmentRequested {
  return {
    type: 'AssignmentRequested',
    data: {
      assignmentId: ASSIGNMENT_ID,
      identityId: IDENTITY_ID,
      entitlementId: ENTITLEMENT_ID,
      at: iso(T0),
      by: 'alice',
      ...data,
    },
  };
}

/** The sample assignment revoked, two minutes in. */
export function revokedEvent(): AssignmentEvent {
  return {
    type: 'AssignmentRevoked',
    data: {
      assignmentId: ASSIGNMENT_ID,
      identityId: IDENTITY_ID,
      entitlementId: ENTITLEMENT_ID,
      at: iso(minutes(2)),
    },
  };
}

const OUTCOMES = {
  1: 'ReadyForProvisioning',
  4: 'AlreadyPresent',
  5: 'ReviewRequired',
  6: 'EndDatePassed',
} as const;

/** How the fixtures' order events begin: an order of the sample assignment, a minute in. */
function orderHead(orderId: string) {
  return {
    assignmentId: ASSIGNMENT_ID,
    orderId,
    at: iso(minutes(1)),
    identityId: IDENTITY_ID,
    entitlementId: ENTITLEMENT_ID,
  };
}

/** A generated order in state 1, 4, 5 or 6. */
export function generatedEvent(
  orderId: string,
  stateCode: 1 | 4 | 5 | 6,
  data: Partial<ProvisioningOrderGenerated['data']> = {},
): ProvisioningOrderGenerated {
  return {
    type: 'ProvisioningOrderGenerated',
    data: {
      ...orderHead(orderId),
      changeType: 'Added',
      connectionId: 'ldap',
      resourceTypeId: 'ldap-account',
      fulfillment: 'automatic',
      changes: { uid: 'jdoe' },
      requiresReview: stateCode === ProvisioningState.AwaitingApproval,
      outcome: OUTCOMES[stateCode],
      reevaluated: false,
      attempt: 1,
      origin: 'request',
      ...toStateView(stateCode),
      ...data,
    },
  };
}

export function evaluationFailedEvent(
  orderId: string,
  error = 'mapping "cn" failed',
): RoleModelEvaluationFailed {
  return {
    type: 'RoleModelEvaluationFailed',
    data: {
      ...orderHead(orderId),
      error,
      ...toStateView(7),
    },
  };
}

/**
 * Events after which order `orderId` (the assignment's only order) is in `stateCode`. They are
 * written directly, not decided, so any combination can be set up, e.g. an automatic order in 2.
 */
export function orderInState(
  stateCode: ProvisioningStateCode,
  options: { orderId?: string; fulfillment?: Fulfillment; endsAt?: string } = {},
): AssignmentEvent[] {
  const orderId = options.orderId ?? 'o-1';
  const fulfillment = options.fulfillment ?? 'automatic';
  const request = requestedEvent(options.endsAt ? { endsAt: options.endsAt } : {});
  const base = { assignmentId: ASSIGNMENT_ID, orderId, at: iso(minutes(2)) };
  const pending = generatedEvent(orderId, 1, { fulfillment });
  switch (stateCode) {
    case 0:
      return [
        request,
        generatedEvent(orderId, 5, { fulfillment }),
        { type: 'ProvisioningOrderDeclined', data: { ...base, by: 'rita', ...toStateView(0) } },
      ];
    case 1:
      return [request, pending];
    case 2:
      return [
        request,
        pending,
        { type: 'ProvisioningOrderTransmitted', data: { ...base, connectionId: 'ldap', ...toStateView(2) } },
      ];
    case 3:
      return [
        request,
        pending,
        {
          type: 'ProvisioningOrderErrored',
          data: { ...base, reportedBy: 'agent', error: 'timeout', attempt: 1, ...toStateView(3) },
        },
      ];
    case 4:
    case 5:
    case 6:
      return [request, generatedEvent(orderId, stateCode, { fulfillment })];
    case 7:
      return [request, evaluationFailedEvent(orderId)];
    case 8:
      return [
        request,
        pending,
        {
          type: 'ProvisioningOrderExecuted',
          data: { ...base, reportedBy: 'agent', attempt: 1, ...toStateView(8) },
        },
      ];
  }
}

export function generateCommand(
  orderId: string,
  fields: Partial<Omit<GenerateProvisioningOrder, 'type' | 'orderId'>> = {},
): GenerateProvisioningOrder {
  return {
    type: 'GenerateProvisioningOrder',
    assignmentId: ASSIGNMENT_ID,
    orderId,
    changeType: 'Added',
    connectionId: 'ldap',
    resourceTypeId: 'ldap-account',
    fulfillment: 'automatic',
    changes: { uid: 'jdoe' },
    requiresReview: false,
    now: minutes(3),
    ...fields,
  };
}

/** A valid command of `type` for order `orderId`, with the fields that type needs. */
export function orderCommand(
  type: OrderCommandType,
  orderId = 'o-1',
  fields: Record<string, unknown> = {},
): AssignmentCommand {
  const base = { assignmentId: ASSIGNMENT_ID, orderId, now: minutes(3), actor: 'rita' };
  const defaults: Record<OrderCommandType, Record<string, unknown>> = {
    GenerateProvisioningOrder: { ...generateCommand(orderId) },
    RecordRoleModelEvaluationFailure: { error: 'still broken' },
    ApproveProvisioningOrder: {},
    DeclineProvisioningOrder: { comment: 'not needed' },
    PostponeProvisioningOrder: { comment: 'ask the manager' },
    TransmitProvisioningOrder: {},
    ReportProvisioningOrderExecuted: { by: 'agent' },
    ReportProvisioningOrderErrored: { by: 'agent', error: 'LDAP 50 insufficient access' },
    ExpireTransmittedValidity: {},
    VerifyProvisioningOrder: {},
    RetryProvisioningOrder: {},
    DeactivateProvisioningOrder: {},
  };
  return { ...base, ...defaults[type], ...fields, type } as AssignmentCommand;
}
