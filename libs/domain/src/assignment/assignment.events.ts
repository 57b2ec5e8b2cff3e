import type { ProvisioningStateView } from '../provisioning-state';

/**
 * Events of the assignment aggregate, stream `assignment-<assignmentId>` (docs/architecture.md §3).
 * Each `data` is JSON-safe (timestamps are ISO-8601 strings) and self-contained: replaying the
 * stream needs nothing else. Every order event carries the order's provisioning state after
 * the event, so read models can show it without knowing the transition table.
 * Correlation, causation and the like are metadata, added by the application layer.
 */

export type ChangeType = 'Added' | 'Modified' | 'Deleted';
export type Fulfillment = 'automatic' | 'manual';
/** Who reports the outcome of an order: the connector agent or a person (manual provisioning). */
export type Reporter = 'agent' | 'operator';
/** Why an order was superseded by a newer one. */
export type SupersedeReason = 'AssignmentRevoked' | 'AssignmentEnded' | 'RoleModelChanged';
/** Why a generated order starts in the state it starts in. */
export type GenerationOutcome =
  | 'EndDatePassed'
  | 'AlreadyPresent'
  | 'ReviewRequired'
  | 'ReadyForProvisioning'
  /** A `Deleted` order that removes access because the assignment's end date passed. */
  | 'AssignmentEnded';

/** Where an order comes from (see `orderOrigin`). */
export type OrderOrigin = 'request' | 'revocation' | `rule:${string}`;

/**
 * What the agent did in the managed system for one attempt, without values (a value may be
 * personal or write-only): the operation, the entry it wrote, the attribute names and how long it took.
 */
export interface ConnectorCall {
  operation: 'create-or-converge' | 'modify' | 'delete';
  /** The DN, key or URL of the entry written, as the connector names it. */
  target: string;
  attributes: string[];
  group?: string;
  durationMs: number;
}

interface DomainEvent<Type extends string, Data> {
  type: Type;
  data: Data;
}

/** Fields every event about one order has. `by` is the acting person, when a person acts. */
interface OrderEventData {
  assignmentId: string;
  orderId: string;
  /** ISO-8601 time at which the transition happened. */
  at: string;
  by?: string;
}

export type AssignmentRequested = DomainEvent<
  'AssignmentRequested',
  {
    assignmentId: string;
    identityId: string;
    entitlementId: string;
    startsAt?: string;
    endsAt?: string;
    comment?: string;
    at: string;
    by?: string;
  }
>;

export type AssignmentRevoked = DomainEvent<
  'AssignmentRevoked',
  {
    assignmentId: string;
    identityId: string;
    entitlementId: string;
    comment?: string;
    at: string;
    by?: string;
  }
>;

export type ProvisioningOrderGenerated = DomainEvent<
  'ProvisioningOrderGenerated',
  OrderEventData &
    ProvisioningStateView<1 | 4 | 5 | 6> & {
      identityId: string;
      entitlementId: string;
      changeType: ChangeType;
      connectionId: string;
      resourceTypeId: string;
      fulfillment: Fulfillment;
      changes: Record<string, unknown>;
      requiresReview: boolean;
      outcome: GenerationOutcome;
      /** True when an order that was in 7 Error is evaluated again successfully. */
      reevaluated: boolean;
      attempt: number;
      /** Content hash of the role model that computed the order; absent on orders from before it was recorded. */
      roleModelVersion?: string;
      /** What the order comes from: `request` (a person asked), `rule:<ruleId>` (a birthright rule), `revocation`. */
      origin?: OrderOrigin;
    }
>;

export type RoleModelEvaluationFailed = DomainEvent<
  'RoleModelEvaluationFailed',
  OrderEventData & ProvisioningStateView<7> & { identityId: string; entitlementId: string; error: string }
>;

export type ProvisioningOrderApproved = DomainEvent<
  'ProvisioningOrderApproved',
  OrderEventData & ProvisioningStateView<1> & { comment?: string }
>;

export type ProvisioningOrderDeclined = DomainEvent<
  'ProvisioningOrderDeclined',
  OrderEventData & ProvisioningStateView<0> & { comment?: string }
>;

export type ProvisioningOrderPostponed = DomainEvent<
  'ProvisioningOrderPostponed',
  OrderEventData & ProvisioningStateView<5> & { comment: string; until?: string }
>;

export type ProvisioningOrderTransmitted = DomainEvent<
  'ProvisioningOrderTransmitted',
  OrderEventData & ProvisioningStateView<2> & { connectionId: string }
>;

export type ProvisioningOrderExecuted = DomainEvent<
  'ProvisioningOrderExecuted',
  OrderEventData &
    ProvisioningStateView<8> & { reportedBy: Reporter; attempt: number; connectorCall?: ConnectorCall }
>;

export type ProvisioningOrderErrored = DomainEvent<
  'ProvisioningOrderErrored',
  OrderEventData &
    ProvisioningStateView<3> & {
      /** `timer`: the transmitted-validity period expired without verification. */
      reportedBy: Reporter | 'timer';
      error: string;
      attempt: number;
      connectorCall?: ConnectorCall;
    }
>;

export type ProvisioningOrderRetried = DomainEvent<
  'ProvisioningOrderRetried',
  OrderEventData &
    ProvisioningStateView<1> & {
      /** The attempt that starts now (the first fulfilment is attempt 1). */
      attempt: number;
      /** True when the retry policy retried, false when a person unblocked the order. */
      automatic: boolean;
      comment?: string;
    }
>;

export type ProvisioningOrderVerified = DomainEvent<
  'ProvisioningOrderVerified',
  OrderEventData & ProvisioningStateView<4>
>;

export type ProvisioningOrderDeactivated = DomainEvent<
  'ProvisioningOrderDeactivated',
  OrderEventData & ProvisioningStateView<6> & { endsAt: string }
>;

export type ProvisioningOrderSuperseded = DomainEvent<
  'ProvisioningOrderSuperseded',
  /** The state view is the one the order is left in: superseding closes it without moving it. */
  OrderEventData & ProvisioningStateView & { supersededBy: string; reason: SupersedeReason }
>;

export type AssignmentEvent =
  | AssignmentRequested
  | AssignmentRevoked
  | ProvisioningOrderGenerated
  | RoleModelEvaluationFailed
  | ProvisioningOrderApproved
  | ProvisioningOrderDeclined
  | ProvisioningOrderPostponed
  | ProvisioningOrderTransmitted
  | ProvisioningOrderExecuted
  | ProvisioningOrderErrored
  | ProvisioningOrderRetried
  | ProvisioningOrderVerified
  | ProvisioningOrderDeactivated
  | ProvisioningOrderSuperseded;

export type AssignmentEventType = AssignmentEvent['type'];

export const ASSIGNMENT_EVENT_TYPES: readonly AssignmentEventType[] = [
  'AssignmentRequested',
  'AssignmentRevoked',
  'ProvisioningOrderGenerated',
  'RoleModelEvaluationFailed',
  'ProvisioningOrderApproved',
  'ProvisioningOrderDeclined',
  'ProvisioningOrderPostponed',
  'ProvisioningOrderTransmitted',
  'ProvisioningOrderExecuted',
  'ProvisioningOrderErrored',
  'ProvisioningOrderRetried',
  'ProvisioningOrderVerified',
  'ProvisioningOrderDeactivated',
  'ProvisioningOrderSuperseded',
];
