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

export type IdentityEvent = IdentityRegistered | IdentityUpdated;
export type IdentityEventType = IdentityEvent['type'];
