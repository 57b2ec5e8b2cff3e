import type { ChangeType, ConnectorCall, Fulfillment, Reporter } from './assignment.events';

/**
 * Commands of the assignment aggregate. Time and ids come in on the command (`now`, the ids),
 * never from a clock or a generator inside the domain. `actor` is the person or service on whose
 * behalf the command runs; review decisions require it.
 */
interface CommandBase {
  assignmentId: string;
  now: Date;
  actor?: string;
}

/** Commands that act on one existing order, named by its id. */
interface OrderCommandBase extends CommandBase {
  orderId: string;
}

type Command<Type extends string, Fields = object, Base = CommandBase> = { type: Type } & Base & Fields;

export type RequestAssignment = Command<
  'RequestAssignment',
  { identityId: string; entitlementId: string; startsAt?: Date; endsAt?: Date; comment?: string }
>;

export type RevokeAssignment = Command<'RevokeAssignment', { comment?: string }>;

/**
 * The result of evaluating the role model for the assignment. A new `orderId` creates an order
 * (and supersedes the open one, if any); the id of an order in 7 Error evaluates that order again.
 */
export type GenerateProvisioningOrder = Command<
  'GenerateProvisioningOrder',
  {
    changeType: ChangeType;
    connectionId: string;
    resourceTypeId: string;
    fulfillment: Fulfillment;
    changes: Record<string, unknown>;
    requiresReview: boolean;
    /** The change is already observed in synchronized data. */
    alreadyPresent?: boolean;
    /** Content hash of the role model that computed the order (see RoleModelDeployed). */
    roleModelVersion?: string;
  },
  OrderCommandBase
>;

/** The role model threw while evaluating the order: a new order, or one already in 7 Error. */
export type RecordRoleModelEvaluationFailure = Command<
  'RecordRoleModelEvaluationFailure',
  { error: string },
  OrderCommandBase
>;

export type ApproveProvisioningOrder = Command<
  'ApproveProvisioningOrder',
  { comment?: string },
  OrderCommandBase
>;

export type DeclineProvisioningOrder = Command<
  'DeclineProvisioningOrder',
  { comment?: string },
  OrderCommandBase
>;

export type PostponeProvisioningOrder = Command<
  'PostponeProvisioningOrder',
  { comment: string; until?: Date },
  OrderCommandBase
>;

/** Hands a pending order of a manual connection to the operators. */
export type TransmitProvisioningOrder = Command<'TransmitProvisioningOrder', object, OrderCommandBase>;

export type ReportProvisioningOrderExecuted = Command<
  'ReportProvisioningOrderExecuted',
  { by: Reporter; connectorCall?: ConnectorCall },
  OrderCommandBase
>;

export type ReportProvisioningOrderErrored = Command<
  'ReportProvisioningOrderErrored',
  { by: Reporter; error: string; connectorCall?: ConnectorCall },
  OrderCommandBase
>;

/** The resource type's transmitted-validity period ran out before synchronization saw the change. */
export type ExpireTransmittedValidity = Command<'ExpireTransmittedValidity', object, OrderCommandBase>;

/** Synchronization observed the executed change in the managed system. */
export type VerifyProvisioningOrder = Command<'VerifyProvisioningOrder', object, OrderCommandBase>;

/** A person unblocks an errored order, or the retry policy retries it (`automatic: true`). */
export type RetryProvisioningOrder = Command<
  'RetryProvisioningOrder',
  { comment?: string; automatic?: boolean },
  OrderCommandBase
>;

/** The assignment's end date passed before the order was fulfilled. */
export type DeactivateProvisioningOrder = Command<'DeactivateProvisioningOrder', object, OrderCommandBase>;

/**
 * The assignment's end date has passed (timer): orders not yet fulfilled become 6 Inactive, and
 * access that may be in the managed system (an order Transmitted, Executed or Verified) is
 * removed by a new `Deleted` order with id `orderId`.
 */
export type EndAssignment = Command<'EndAssignment', { orderId: string }>;

/** Commands that move an existing order along the transition table. */
export type OrderTransitionCommand =
  | ApproveProvisioningOrder
  | DeclineProvisioningOrder
  | PostponeProvisioningOrder
  | TransmitProvisioningOrder
  | ReportProvisioningOrderExecuted
  | ReportProvisioningOrderErrored
  | ExpireTransmittedValidity
  | VerifyProvisioningOrder
  | RetryProvisioningOrder
  | DeactivateProvisioningOrder;

/** Commands that carry a role-model evaluation result (they create orders or re-evaluate one). */
export type OrderGenerationCommand = GenerateProvisioningOrder | RecordRoleModelEvaluationFailure;

/** Every command that names an order. */
export type OrderCommand = OrderTransitionCommand | OrderGenerationCommand;
export type OrderCommandType = OrderCommand['type'];

export type AssignmentCommand = RequestAssignment | RevokeAssignment | EndAssignment | OrderCommand;
export type AssignmentCommandType = AssignmentCommand['type'];

export const ORDER_COMMAND_TYPES: readonly OrderCommandType[] = [
  'GenerateProvisioningOrder',
  'RecordRoleModelEvaluationFailure',
  'ApproveProvisioningOrder',
  'DeclineProvisioningOrder',
  'PostponeProvisioningOrder',
  'TransmitProvisioningOrder',
  'ReportProvisioningOrderExecuted',
  'ReportProvisioningOrderErrored',
  'ExpireTransmittedValidity',
  'VerifyProvisioningOrder',
  'RetryProvisioningOrder',
  'DeactivateProvisioningOrder',
];
