import type { Decider } from '../decider';
import { LoginTakenError, ValidationError } from '../errors';
import { withoutUndefined } from '../json';
import { optionalText, requireDate, requireText } from '../validation';

/**
 * Logins are unique among active identities. Each login has a reservation stream
 * `login-<login in lower case>`; an identity takes the login by appending to it with the revision
 * it read, so two identities racing for one login get one reservation and one LoginTakenError.
 */

export const LOGIN_CATEGORY = 'login';

/** Directories compare account names without case, so `JDoe` and `jdoe` are one login. */
export function loginStreamName(login: string): string {
  return `${LOGIN_CATEGORY}-${login.trim().toLowerCase()}`;
}

export interface LoginReservationState {
  holderIdentityId?: string;
}

export type ReserveLogin = {
  type: 'ReserveLogin';
  login: string;
  identityId: string;
  /**
   * The current holder the caller found no longer using the login (a reservation left behind by
   * a crash between reserving and registering, or a login change): the reservation passes over.
   */
  staleHolderIdentityId?: string;
  now: Date;
  actor?: string;
};

export type ReleaseLogin = {
  type: 'ReleaseLogin';
  login: string;
  identityId: string;
  now: Date;
  actor?: string;
};

export type LoginReservationCommand = ReserveLogin | ReleaseLogin;

export type LoginReservationEvent =
  | {
      type: 'LoginReserved';
      data: { login: string; identityId: string; replacedIdentityId?: string; at: string; by?: string };
    }
  | { type: 'LoginReleased'; data: { login: string; identityId: string; at: string; by?: string } };

function decide(command: LoginReservationCommand, state: LoginReservationState): LoginReservationEvent[] {
  const type = command.type;
  const login = requireText(type, 'login', command.login);
  const identityId = requireText(type, 'identityId', command.identityId);
  const at = requireDate(type, 'now', command.now);
  const holder = state.holderIdentityId;
  if (type === 'ReleaseLogin') {
    return holder === identityId
      ? [{ type: 'LoginReleased', data: withoutUndefined({ login, identityId, at, by: command.actor }) }]
      : [];
  }
  if (type !== 'ReserveLogin') throw new ValidationError(String(type), 'type', 'is not a known command');
  if (holder === identityId) return [];
  const stale = optionalText(type, 'staleHolderIdentityId', command.staleHolderIdentityId);
  if (holder !== undefined && holder !== stale) throw new LoginTakenError(login, holder, 'ReserveLogin');
  return [
    {
      type: 'LoginReserved',
      data: withoutUndefined({ login, identityId, replacedIdentityId: holder, at, by: command.actor }),
    },
  ];
}

function evolve(state: LoginReservationState, event: LoginReservationEvent): LoginReservationState {
  switch (event.type) {
    case 'LoginReserved':
      return { holderIdentityId: event.data.identityId };
    case 'LoginReleased':
      return state.holderIdentityId === event.data.identityId ? {} : state;
    default:
      return state;
  }
}

export const loginReservationDecider: Decider<
  LoginReservationState,
  LoginReservationCommand,
  LoginReservationEvent
> = { decide, evolve, initialState: () => ({}) };
