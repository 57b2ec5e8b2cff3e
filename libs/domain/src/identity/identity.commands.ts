import type { EntitlementHolder, IdentityAttributes, IdentityChanges } from './identity.events';

interface CommandBase {
  identityId: string;
  now: Date;
  actor?: string;
}

export type RegisterIdentity = {
  type: 'RegisterIdentity';
  login: string;
  firstName: string;
  lastName: string;
  email: string;
  department?: string;
  attributes?: IdentityAttributes;
} & CommandBase;

/**
 * Absent fields stay as they are; `department: null` removes the department. `attributes` is
 * merged key by key: a value sets the attribute, null removes it, absent keys stay.
 */
export type UpdateIdentity = { type: 'UpdateIdentity' } & IdentityChanges & CommandBase;

/** Without `at` (or with `at` not after `now`) it deactivates now; a later `at` schedules it. */
export type DeactivateIdentity = { type: 'DeactivateIdentity'; comment?: string; at?: Date } & CommandBase;
export type ReactivateIdentity = { type: 'ReactivateIdentity'; comment?: string } & CommandBase;

/**
 * `holder` wants the identity to have the entitlement. `assignmentId` is the assignment to create
 * when the identity does not hold it yet; otherwise the holder joins the existing assignment.
 */
export type HoldEntitlement = {
  type: 'HoldEntitlement';
  entitlementId: string;
  assignmentId: string;
  holder: EntitlementHolder;
} & CommandBase;

/** `holder` no longer wants the entitlement (a birthright rule stopped holding). */
export type ReleaseEntitlementHold = {
  type: 'ReleaseEntitlementHold';
  entitlementId: string;
  holder: EntitlementHolder;
} & CommandBase;

/** The assignment was revoked: the entitlement is free for a new assignment. */
export type ReleaseEntitlement = {
  type: 'ReleaseEntitlement';
  entitlementId: string;
  assignmentId: string;
} & CommandBase;

export type IdentityCommand =
  | RegisterIdentity
  | UpdateIdentity
  | DeactivateIdentity
  | ReactivateIdentity
  | HoldEntitlement
  | ReleaseEntitlementHold
  | ReleaseEntitlement;
export type IdentityCommandType = IdentityCommand['type'];
