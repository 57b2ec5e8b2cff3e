import type { IdentityAttributes, IdentityChanges } from './identity.events';

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

export type IdentityCommand = RegisterIdentity | UpdateIdentity;
export type IdentityCommandType = IdentityCommand['type'];
