import { LoginTakenError } from '../errors';
import { DeciderSpecification } from '../testing/decider-specification';
import {
  loginReservationDecider,
  type LoginReservationEvent,
  loginStreamName,
  type ReserveLogin,
} from './login-reservation';

const given = DeciderSpecification.for(loginReservationDecider);
const now = new Date('2030-01-01T08:00:00.000Z');
const at = now.toISOString();
const reserve = (identityId: string, fields: Partial<ReserveLogin> = {}): ReserveLogin => ({
  type: 'ReserveLogin',
  login: 'jdoe',
  identityId,
  now,
  ...fields,
});
const reserved = (identityId: string): LoginReservationEvent => ({
  type: 'LoginReserved',
  data: { login: 'jdoe', identityId, at },
});

describe('login reservation', () => {
  it('reserves a free login', () => {
    given([])
      .when(reserve('i-1'))
      .then([reserved('i-1')]);
  });

  it('is idempotent for the holder', () => {
    given([reserved('i-1')])
      .when(reserve('i-1'))
      .thenNothingHappened();
  });

  it('refuses another identity and names the holder', () => {
    given([reserved('i-1')])
      .when(reserve('i-2'))
      .thenThrows(LoginTakenError, (e) => e.holderIdentityId === 'i-1' && e.message.includes('identity i-1'));
  });

  it('passes a stale reservation over when the caller names the holder it found stale', () => {
    given([reserved('i-1')])
      .when(reserve('i-2', { staleHolderIdentityId: 'i-1' }))
      .then([
        { type: 'LoginReserved', data: { login: 'jdoe', identityId: 'i-2', replacedIdentityId: 'i-1', at } },
      ]);
    given([reserved('i-3')])
      .when(reserve('i-2', { staleHolderIdentityId: 'i-1' }))
      .thenThrows(LoginTakenError, (e) => e.holderIdentityId === 'i-3');
  });

  it('releases only for the holder; a released login is free again', () => {
    const release = { type: 'ReleaseLogin' as const, login: 'jdoe', now };
    const released: LoginReservationEvent = {
      type: 'LoginReleased',
      data: { login: 'jdoe', identityId: 'i-1', at },
    };
    given([reserved('i-1')])
      .when({ ...release, identityId: 'i-1' })
      .then([released]);
    given([reserved('i-1')])
      .when({ ...release, identityId: 'i-2' })
      .thenNothingHappened();
    given([reserved('i-1'), released])
      .when(reserve('i-2'))
      .then([reserved('i-2')]);
  });

  it('names the stream by the login without case', () => {
    expect(loginStreamName(' JDoe ')).toBe('login-jdoe');
  });
});
