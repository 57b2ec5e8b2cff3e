import type { JsonValue } from '../json';

/**
 * Events of the identity aggregate, stream `identity-<identityId>`. Identities come from the
 * authoritative source (HR); the role model reads their attributes.
 */

/** An identity attribute: any JSON value except null (null means "remove" in an update). */
export type IdentityAttributeValue = Exclude<JsonValue, null>;
export type IdentityAttributes = Record<string, IdentityAttributeValue>;

export interface IdentityProfile {
  login: string;
  firstName: string;
  lastName: string;
  email: string;
  department?: string;
  attributes: IdentityAttributes;
}

/**
 * What an update changed, and only that: a field is present when its value changed;
 * `department: null` and an attribute set to null mean it was removed.
 */
export interface IdentityChanges {
  login?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  department?: string | null;
  attributes?: Record<string, IdentityAttributeValue | null>;
}

export interface IdentityRegistered {
  type: 'IdentityRegistered';
  data: IdentityProfile & { identityId: string; at: string; by?: string };
}

export interface IdentityUpdated {
  type: 'IdentityUpdated';
  data: { identityId: string; changes: IdentityChanges; at: string; by?: string };
}

/** A leaver: every assignment is revoked, nothing new is granted until reactivation. */
export interface IdentityDeactivated {
  type: 'IdentityDeactivated';
  data: { identityId: string; comment?: string; at: string; by?: string };
}

/** The leaver at a future date: `effectiveAt` is when the identity is to be deactivated. */
export interface IdentityDeactivationScheduled {
  type: 'IdentityDeactivationScheduled';
  data: { identityId: string; effectiveAt: string; comment?: string; at: string; by?: string };
}

export interface IdentityReactivated {
  type: 'IdentityReactivated';
  data: { identityId: string; comment?: string; at: string; by?: string };
}

/**
 * Who holds an assignment on the identity's behalf: `request` (a person asked for it) or
 * `rule:<ruleId>` (a birthright rule of the role model).
 */
export type EntitlementHolder = 'request' | `rule:${string}`;

/** Which holder of which assignment joined or left, when and by whom. */
export interface EntitlementHoldChange {
  identityId: string;
  entitlementId: string;
  assignmentId: string;
  holder: EntitlementHolder;
  at: string;
  by?: string;
}

/** A holder joined the assignment that gives the identity the entitlement (the first one creates it). */
export interface EntitlementHeld {
  type: 'EntitlementHeld';
  data: EntitlementHoldChange;
}

/** A holder left; the assignment stays while another holder remains. */
export interface EntitlementHoldReleased {
  type: 'EntitlementHoldReleased';
  data: EntitlementHoldChange;
}

/** The assignment was revoked: the identity no longer holds the entitlement through it. */
export interface EntitlementReleased {
  type: 'EntitlementReleased';
  data: { identityId: string; entitlementId: string; assignmentId: string; at: string; by?: string };
}

export type IdentityEvent =
  | IdentityRegistered
  | IdentityUpdated
  | IdentityDeactivated
  | IdentityDeactivationScheduled
  | IdentityReactivated
  | EntitlementHeld
  | EntitlementHoldReleased
  | EntitlementReleased;
export type IdentityEventType = IdentityEvent['type'];
