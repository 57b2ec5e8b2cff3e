import type { Decider } from '../decider';
import type { IdentityCommand } from './identity.commands';
import { decideIdentity } from './identity.decide';
import type { IdentityEvent } from './identity.events';
import { evolveIdentity, type IdentityState, initialIdentityState } from './identity.state';

/** Stream category of the identity aggregate. */
export const IDENTITY_CATEGORY = 'identity';

/** `identity-<identityId>`: registration and attribute changes of one identity. */
export function identityStreamName(identityId: string): string {
  return `${IDENTITY_CATEGORY}-${identityId}`;
}

export const identityDecider: Decider<IdentityState, IdentityCommand, IdentityEvent> = {
  decide: decideIdentity,
  evolve: evolveIdentity,
  initialState: initialIdentityState,
};
