import { IdentityInactiveError, ValidationError } from '../errors';
import { eventData, withoutUndefined } from '../json';
import { copyWith } from '../copy-with';
import { optionalDate, optionalText, requireDate, requireText } from '../validation';
import type {
  DeactivateIdentity,
  HoldEntitlement,
  ReactivateIdentity,
  ReleaseEntitlement,
  ReleaseEntitlementHold,
} from './identity.commands';
import type { EntitlementHolder, IdentityEvent } from './identity.events';
import { findHolding, type RegisteredIdentity } from './identity.state';

const HOLDER = /^(request|rule:[a-z0-9_]+)$/;

function requireHolder(command: string, value: unknown): EntitlementHolder {
  if (typeof value !== 'string' || !HOLDER.test(value)) {
    throw new ValidationError(command, 'holder', "must be 'request' or 'rule:<rule id>'");
  }
  return value as EntitlementHolder;
}

/**
 * Deactivating a deactivated identity (or reactivating an active one) changes nothing. A later
 * `at` schedules the deactivation; the requests service deactivates when the time comes.
 */
export function decideStatus(
  command: DeactivateIdentity | ReactivateIdentity,
  identity: RegisteredIdentity,
): IdentityEvent[] {
  const at = requireDate(command.type, 'now', command.now);
  const comment = optionalText(command.type, 'comment', command.comment);
  const data = withoutUndefined({ identityId: identity.identityId, comment, at, by: command.actor });
  if (command.type === 'ReactivateIdentity') {
    // Reactivating an active identity cancels a scheduled deactivation, if any.
    return identity.active && !identity.deactivationScheduledAt
      ? []
      : [{ type: 'IdentityReactivated', data }];
  }
  if (!identity.active) return [];
  const effectiveAt = optionalDate(command.type, 'at', command.at);
  if (effectiveAt !== undefined && Date.parse(effectiveAt) > Date.parse(at)) {
    if (identity.deactivationScheduledAt === effectiveAt) return [];
    return [{ type: 'IdentityDeactivationScheduled', data: copyWith(data, { effectiveAt }) }];
  }
  return [{ type: 'IdentityDeactivated', data }];
}

/**
 * One assignment per identity and entitlement: the identity records which assignment gives it
 * each entitlement and who wants it, and the command handler appends with the revision it read,
 * so two concurrent requests for one entitlement end up on one assignment.
 */
export function decideHolding(
  command: HoldEntitlement | ReleaseEntitlementHold | ReleaseEntitlement,
  identity: RegisteredIdentity,
): IdentityEvent[] {
  const type = command.type;
  const at = requireDate(type, 'now', command.now);
  const entitlementId = requireText(type, 'entitlementId', command.entitlementId);
  const holding = findHolding(identity, entitlementId);
  const base = { identityId: identity.identityId, entitlementId, at, by: command.actor };
  switch (command.type) {
    case 'HoldEntitlement': {
      const holder = requireHolder(type, command.holder);
      const proposed = requireText(type, 'assignmentId', command.assignmentId);
      if (!identity.active) throw new IdentityInactiveError(identity.identityId, type);
      if (holding?.holders.includes(holder)) return [];
      const assignmentId = holding?.assignmentId ?? proposed;
      return [{ type: 'EntitlementHeld', data: eventData(base, { assignmentId, holder }) }];
    }
    case 'ReleaseEntitlementHold': {
      const holder = requireHolder(type, command.holder);
      if (!holding?.holders.includes(holder)) return [];
      return [
        {
          type: 'EntitlementHoldReleased',
          data: eventData(base, { assignmentId: holding.assignmentId, holder }),
        },
      ];
    }
    case 'ReleaseEntitlement': {
      const assignmentId = requireText(type, 'assignmentId', command.assignmentId);
      if (holding?.assignmentId !== assignmentId) return [];
      return [{ type: 'EntitlementReleased', data: eventData(base, { assignmentId }) }];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
