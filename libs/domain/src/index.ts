/**
 * The provisioning domain: pure deciders (decide / evolve / initialState) for assignments with
 * their provisioning orders, and for identities. No I/O, no clock, no id generation: time and ids
 * come in on commands.
 */
export * from './provisioning-state';
export * from './errors';
export * from './decider';
export { jsonEqual, type JsonValue } from './json';
export { copyWith, type CopyWith } from './copy-with';

export * from './assignment/assignment.events';
export * from './assignment/assignment.commands';
export {
  type Assignment,
  type AssignmentState,
  currentOrder,
  evolve as evolveAssignment,
  findOrder,
  initialState as initialAssignmentState,
  isOpen,
  type NoAssignment,
  openOrders,
  type OrderClosedReason,
  type ProvisioningOrder,
  type WorkflowState,
} from './assignment/assignment.state';
export { decide as decideAssignment } from './assignment/assignment.decide';
export * from './assignment/assignment.decider';
export * from './assignment/order-transitions';
export { assignmentEnding, type AssignmentEnding } from './assignment/assignment-end';
export { isPostponed, postponedUntil } from './assignment/postponement';
export { initialOrderState, orderOrigin } from './assignment/order-generation';

export * from './identity/identity.events';
export * from './identity/identity.commands';
export * from './identity/identity.state';
export * from './identity/identity.decide';
export * from './identity/identity.decider';

export * from './job/job.events';
export * from './job/job.state';
export * from './job/job.decider';
export * from './synchronization/synchronization.events';
export * from './synchronization/synchronization-claim';

export * from './testing/decider-specification';
export * from './identity/identity.holdings';
export * from './identity/login-reservation';
export * from './identity/birthright';
export * from './assignment/account-change';
export * from './role-model/role-model.events';
