import type { EntitlementHolder, IdentityEvent, IdentityProfile } from './identity.events';
import { copyWith } from '../copy-with';

export interface UnknownIdentity {
  exists: false;
}

/** The one assignment through which the identity has an entitlement, and who wants it. */
export interface EntitlementHolding {
  assignmentId: string;
  holders: EntitlementHolder[];
}

export interface RegisteredIdentity extends IdentityProfile {
  exists: true;
  identityId: string;
  registeredAt: string;
  updatedAt: string;
  /** False after deactivation (a leaver), until reactivation. */
  active: boolean;
  deactivatedAt?: string;
  /** A deactivation to happen at this time (a leaver at a future date). */
  deactivationScheduledAt?: string;
  /** By entitlement id: at most one live assignment per identity and entitlement. */
  holdings: Record<string, EntitlementHolding>;
}

export type IdentityState = UnknownIdentity | RegisteredIdentity;

export function initialIdentityState(): IdentityState {
  return { exists: false };
}

/** The holding of an entitlement; own keys only, so an id like `constructor` is just an id. */
export function findHolding(state: IdentityState, entitlementId: string): EntitlementHolding | undefined {
  return state.exists && Object.hasOwn(state.holdings, entitlementId)
    ? state.holdings[entitlementId]
    : undefined;
}

/** The birthright rule ids among the holders. */
export function ruleHolders(holding: EntitlementHolding | undefined): string[] {
  return (holding?.holders ?? []).filter((h) => h.startsWith('rule:')).map((h) => h.slice('rule:'.length));
}

function withHolding(
  state: RegisteredIdentity,
  entitlementId: string,
  holding: EntitlementHolding | undefined,
): RegisteredIdentity {
  const holdings = copyWith(state.holdings, {});
  if (holding) holdings[entitlementId] = holding;
  else delete holdings[entitlementId];
  return copyWith(state, { holdings });
}

/** Folds one identity event. Never throws; events before registration are ignored. */
export function evolveIdentity(state: IdentityState, event: IdentityEvent): IdentityState {
  if (event.type === 'IdentityRegistered') {
    if (state.exists) return state;
    const { identityId, login, firstName, lastName, email, department, attributes, at } = event.data;
    return {
      exists: true,
      identityId,
      login,
      firstName,
      lastName,
      email,
      ...(department !== undefined ? { department } : {}),
      attributes: { ...attributes },
      registeredAt: at,
      updatedAt: at,
      active: true,
      holdings: {},
    };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'IdentityUpdated': {
      const { department, attributes: attributeChanges, ...scalars } = event.data.changes;
      // A scalar the update leaves out is absent from `scalars`, so the state's value stays.
      const next = copyWith(state, scalars) as RegisteredIdentity;
      next.updatedAt = event.data.at;
      if (department === null) delete next.department;
      else if (department !== undefined) next.department = department;
      if (attributeChanges) {
        const attributes = new Map(Object.entries(state.attributes));
        for (const [key, value] of Object.entries(attributeChanges)) {
          if (value === null) attributes.delete(key);
          else attributes.set(key, value);
        }
        next.attributes = Object.fromEntries(attributes);
      }
      return next;
    }
    case 'IdentityDeactivated': {
      const next: RegisteredIdentity = copyWith(state, {
        active: false,
        deactivatedAt: event.data.at,
        updatedAt: event.data.at,
      });
      delete next.deactivationScheduledAt;
      return next;
    }
    case 'IdentityDeactivationScheduled':
      return copyWith(state, { deactivationScheduledAt: event.data.effectiveAt, updatedAt: event.data.at });
    case 'IdentityReactivated': {
      const next: RegisteredIdentity = copyWith(state, { active: true, updatedAt: event.data.at });
      delete next.deactivatedAt;
      delete next.deactivationScheduledAt;
      return next;
    }
    case 'EntitlementHeld': {
      const { entitlementId, assignmentId, holder } = event.data;
      const current = findHolding(state, entitlementId);
      const holders = current?.assignmentId === assignmentId ? current.holders : [];
      if (holders.includes(holder)) return state;
      return withHolding(state, entitlementId, { assignmentId, holders: [...holders, holder] });
    }
    case 'EntitlementHoldReleased': {
      const { entitlementId, assignmentId, holder } = event.data;
      const current = findHolding(state, entitlementId);
      if (current?.assignmentId !== assignmentId) return state;
      return withHolding(state, entitlementId, {
        assignmentId,
        holders: current.holders.filter((h) => h !== holder),
      });
    }
    case 'EntitlementReleased': {
      const current = findHolding(state, event.data.entitlementId);
      if (current?.assignmentId !== event.data.assignmentId) return state;
      return withHolding(state, event.data.entitlementId, undefined);
    }
    default:
      return state;
  }
}
