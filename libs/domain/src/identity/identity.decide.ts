import {
  IdentityAlreadyRegisteredError,
  IdentityNotFoundError,
  unknownCommandError,
  ValidationError,
} from '../errors';
import { decideHolding, decideStatus } from './identity.holdings';
import { jsonEqual, withoutUndefined } from '../json';
import { optionalText, requireDate, requireRecord, requireText } from '../validation';
import type { IdentityCommand, RegisterIdentity, UpdateIdentity } from './identity.commands';
import type { IdentityAttributes, IdentityChanges, IdentityEvent, IdentityProfile } from './identity.events';
import type { IdentityState, RegisteredIdentity } from './identity.state';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const SCALAR_FIELDS = ['login', 'firstName', 'lastName', 'email'] as const;

/**
 * Registering is idempotent (the same data again changes nothing; different data is refused, the
 * caller must update instead); an update records only what differs and nothing when nothing does.
 */
export function decideIdentity(command: IdentityCommand, state: IdentityState): IdentityEvent[] {
  switch (command.type) {
    case 'RegisterIdentity':
      return register(command, state);
    case 'UpdateIdentity':
      return update(command, state);
    case 'DeactivateIdentity':
    case 'ReactivateIdentity':
      return decideStatus(command, requireRegistered(command, state));
    case 'HoldEntitlement':
    case 'ReleaseEntitlementHold':
    case 'ReleaseEntitlement':
      return decideHolding(command, requireRegistered(command, state));
    default:
      throw unknownCommandError(command);
  }
}

function requireEmail(command: string, value: unknown): string {
  const email = requireText(command, 'email', value);
  if (!EMAIL.test(email)) throw new ValidationError(command, 'email', 'must be an e-mail address');
  return email;
}

function requireAttributes(command: string, value: unknown, allowNull: boolean): Record<string, unknown> {
  const attributes = requireRecord(command, 'attributes', value);
  for (const [key, item] of Object.entries(attributes)) {
    if (key.trim() === '' || key === '__proto__') {
      throw new ValidationError(command, 'attributes', 'must have non-blank names other than __proto__');
    }
    if (item === undefined || (item === null && !allowNull)) {
      throw new ValidationError(
        command,
        `attributes.${key}`,
        allowNull ? 'must be a value or null' : 'must be a value',
      );
    }
  }
  return attributes;
}

function requireSameIdentity(command: string, identityId: string, state: RegisteredIdentity): void {
  if (identityId !== state.identityId) {
    throw new ValidationError(
      command,
      'identityId',
      `must be ${state.identityId}, the identity of this stream`,
    );
  }
}

function requireRegistered(
  command: { type: string; identityId: string },
  state: IdentityState,
): RegisteredIdentity {
  const identityId = requireText(command.type, 'identityId', command.identityId);
  if (!state.exists) throw new IdentityNotFoundError(identityId, command.type);
  requireSameIdentity(command.type, identityId, state);
  return state;
}

function register(command: RegisterIdentity, state: IdentityState): IdentityEvent[] {
  const type = command.type;
  const identityId = requireText(type, 'identityId', command.identityId);
  const at = requireDate(type, 'now', command.now);
  const profile: IdentityProfile = withoutUndefined({
    login: requireText(type, 'login', command.login),
    firstName: requireText(type, 'firstName', command.firstName),
    lastName: requireText(type, 'lastName', command.lastName),
    email: requireEmail(type, command.email),
    department: optionalText(type, 'department', command.department),
    attributes:
      command.attributes === undefined
        ? {}
        : (requireAttributes(type, command.attributes, false) as IdentityAttributes),
  });
  if (state.exists) {
    requireSameIdentity(type, identityId, state);
    const differing = differingFields(state, profile);
    if (differing.length === 0) return [];
    throw new IdentityAlreadyRegisteredError(identityId, differing);
  }
  return [
    { type: 'IdentityRegistered', data: withoutUndefined({ identityId, ...profile, at, by: command.actor }) },
  ];
}

function differingFields(current: RegisteredIdentity, profile: IdentityProfile): string[] {
  const fields = [...SCALAR_FIELDS, 'department', 'attributes'] as const;
  return fields.filter((field) => !jsonEqual(current[field], profile[field]));
}

function update(command: UpdateIdentity, state: IdentityState): IdentityEvent[] {
  const type = command.type;
  const identityId = requireText(type, 'identityId', command.identityId);
  const at = requireDate(type, 'now', command.now);
  requireRegistered(command, state);
  if (!state.exists) return [];

  const changes: IdentityChanges = {};
  for (const field of SCALAR_FIELDS) {
    if (command[field] === undefined) continue;
    const value =
      field === 'email' ? requireEmail(type, command.email) : requireText(type, field, command[field]);
    if (value !== state[field]) changes[field] = value;
  }
  if (command.department !== undefined) {
    const department =
      command.department === null ? null : requireText(type, 'department', command.department);
    if (department === null ? state.department !== undefined : department !== state.department) {
      changes.department = department;
    }
  }
  if (command.attributes !== undefined) {
    const attributeChanges: Record<string, IdentityAttributes[string] | null> = {};
    for (const [key, value] of Object.entries(requireAttributes(type, command.attributes, true))) {
      const current = Object.hasOwn(state.attributes, key) ? state.attributes[key] : undefined;
      const changed = value === null ? current !== undefined : !jsonEqual(current, value);
      if (changed) attributeChanges[key] = value as IdentityAttributes[string] | null;
    }
    if (Object.keys(attributeChanges).length > 0) changes.attributes = attributeChanges;
  }
  if (Object.keys(changes).length === 0) return [];
  return [
    { type: 'IdentityUpdated', data: withoutUndefined({ identityId, changes, at, by: command.actor }) },
  ];
}
