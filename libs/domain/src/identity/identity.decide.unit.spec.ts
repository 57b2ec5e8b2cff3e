import { IdentityAlreadyRegisteredError, IdentityNotFoundError, ValidationError } from '../errors';
import { DeciderSpecification } from '../testing/decider-specification';
import type { RegisterIdentity, UpdateIdentity } from './identity.commands';
import { identityDecider, identityStreamName } from './identity.decider';
import type { IdentityEvent, IdentityRegistered } from './identity.events';

const given = DeciderSpecification.for(identityDecider);
const now = new Date('2030-01-01T08:00:00.000Z');
const later = new Date('2030-01-02T08:00:00.000Z');

const register: RegisterIdentity = {
  type: 'RegisterIdentity',
  identityId: 'i-1',
  login: 'jdoe',
  firstName: 'Jane',
  lastName: 'Doe',
  email: 'jane.doe@example.org',
  department: 'Finance',
  attributes: { employeeNumber: '4711', costCenters: ['CC1', 'CC2'] },
  now,
  actor: 'hr-sync',
};

const registered: IdentityRegistered = {
  type: 'IdentityRegistered',
  data: {
    identityId: 'i-1',
    login: 'jdoe',
    firstName: 'Jane',
    lastName: 'Doe',
    email: 'jane.doe@example.org',
    department: 'Finance',
    attributes: { employeeNumber: '4711', costCenters: ['CC1', 'CC2'] },
    at: now.toISOString(),
    by: 'hr-sync',
  },
};

const update = (fields: Partial<UpdateIdentity>): UpdateIdentity => ({
  type: 'UpdateIdentity',
  identityId: 'i-1',
  now: later,
  ...fields,
});

const updated = (
  changes: Extract<IdentityEvent, { type: 'IdentityUpdated' }>['data']['changes'],
): IdentityEvent => ({
  type: 'IdentityUpdated',
  data: { identityId: 'i-1', changes, at: later.toISOString() },
});

describe('identity registration', () => {
  it('registers an identity', () => {
    given([]).when(register).then([registered]);
  });

  it('registering again with the same data changes nothing', () => {
    given([registered])
      .when({ ...register, now: later, attributes: { costCenters: ['CC1', 'CC2'], employeeNumber: '4711' } })
      .thenNothingHappened();
  });

  it('registering again with different data is refused and names the fields', () => {
    given([registered])
      .when({ ...register, email: 'jd@example.org', department: undefined })
      .thenThrows(IdentityAlreadyRegisteredError, (e) => e.differingFields.join() === 'email,department');
  });

  it('checks the fields', () => {
    given([])
      .when({ ...register, email: 'not-an-address' })
      .thenThrows(ValidationError, (e) => e.field === 'email');
    given([])
      .when({ ...register, login: '' })
      .thenThrows(ValidationError, (e) => e.field === 'login');
    given([])
      .when({ ...register, attributes: { costCenter: null } as unknown as RegisterIdentity['attributes'] })
      .thenThrows(ValidationError, (e) => e.field === 'attributes.costCenter');
  });

  it('names its stream identity-<id>', () => {
    expect(identityStreamName('i-1')).toBe('identity-i-1');
  });
});

describe('identity updates', () => {
  it('records only the fields that changed', () => {
    given([registered])
      .when(
        update({ login: 'jdoe', lastName: 'Smith', email: 'jane.doe@example.org', department: 'Finance' }),
      )
      .then([updated({ lastName: 'Smith' })]);
  });

  it('merges attributes: sets changed ones, removes those set to null, ignores unchanged ones', () => {
    given([registered])
      .when(
        update({ attributes: { employeeNumber: '4711', costCenters: ['CC3'], title: 'Dr', unknown: null } }),
      )
      .then([updated({ attributes: { costCenters: ['CC3'], title: 'Dr' } })]);
    given([registered])
      .when(update({ attributes: { employeeNumber: null } }))
      .then([updated({ attributes: { employeeNumber: null } })]);
  });

  it('removes the department with null', () => {
    given([registered])
      .when(update({ department: null }))
      .then([updated({ department: null })]);
  });

  it('is a no-op when nothing changed', () => {
    given([registered])
      .when(update({ firstName: 'Jane', attributes: { employeeNumber: '4711' } }))
      .thenNothingHappened();
    given([registered]).when(update({})).thenNothingHappened();
  });

  it('is refused for an unknown identity', () => {
    given([])
      .when(update({ lastName: 'Smith' }))
      .thenThrows(IdentityNotFoundError, (e) => e.identityId === 'i-1');
  });

  it('checks the new values', () => {
    given([registered])
      .when(update({ email: 'nope' }))
      .thenThrows(ValidationError, (e) => e.field === 'email');
    given([registered])
      .when(update({ lastName: ' ' }))
      .thenThrows(ValidationError, (e) => e.field === 'lastName');
  });

  it('folds registration and updates into the current profile', () => {
    const events = [
      registered,
      updated({ lastName: 'Smith', department: null, attributes: { employeeNumber: null, title: 'Dr' } }),
    ];
    const state = events.reduce(identityDecider.evolve, identityDecider.initialState());
    expect(state).toEqual({
      exists: true,
      identityId: 'i-1',
      login: 'jdoe',
      firstName: 'Jane',
      lastName: 'Smith',
      email: 'jane.doe@example.org',
      attributes: { costCenters: ['CC1', 'CC2'], title: 'Dr' },
      registeredAt: now.toISOString(),
      updatedAt: later.toISOString(),
      active: true,
      holdings: {},
    });
    expect(identityDecider.evolve(identityDecider.initialState(), events[1])).toEqual({ exists: false });
  });
});
