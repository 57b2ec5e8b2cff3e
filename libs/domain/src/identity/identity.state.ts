import type { IdentityEvent, IdentityProfile } from './identity.events';

export interface UnknownIdentity {
  exists: false;
}

export interface RegisteredIdentity extends IdentityProfile {
  exists: true;
  identityId: string;
  registeredAt: string;
  updatedAt: string;
}

export type IdentityState = UnknownIdentity | RegisteredIdentity;

export function initialIdentityState(): IdentityState {
  return { exists: false };
}

/** Folds one identity event. Never throws; an update before registration is ignored. */
export function evolveIdentity(state: IdentityState, event: IdentityEvent): IdentityState {
  switch (event.type) {
    case 'IdentityRegistered': {
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
      };
    }
    case 'IdentityUpdated': {
      if (!state.exists) return state;
      const { department, attributes: attributeChanges, ...scalars } = event.data.changes;
      const next: RegisteredIdentity = { ...state, ...scalars, updatedAt: event.data.at };
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
    default:
      return state;
  }
}
