import type { IdentityRecord } from '@prov/read-models';
import { identityChanges, registration, showsSource, type SourceIdentity } from './identity-changes';

const record: IdentityRecord = {
  id: 'e-1',
  login: 'amartin',
  firstName: 'Alice',
  lastName: 'Martin',
  email: 'alice@example.test',
  department: 'IT',
  attributes: { externalId: 'HR-1', badge: 'B-7' },
  active: true,
  registeredAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  revision: 0,
};
const same: SourceIdentity = {
  login: 'amartin',
  firstName: 'Alice',
  lastName: 'Martin',
  email: 'alice@example.test',
  department: 'IT',
  externalId: 'HR-1',
  active: true,
};

describe('identityChanges: what an authoritative source changes on an identity', () => {
  it('nothing when the source says what the identity is', () => {
    expect(identityChanges(record, same)).toEqual({});
    expect(showsSource(record, same)).toBe(true);
  });

  it('only the fields that differ; a missing department or source attribute is removed', () => {
    const wanted = {
      ...same,
      lastName: 'Dupont',
      department: undefined,
      externalId: undefined,
      employeeNumber: '42',
    };
    expect(identityChanges(record, wanted)).toEqual({
      update: {
        lastName: 'Dupont',
        department: null,
        attributes: { externalId: null, employeeNumber: '42' },
      },
    });
    expect(showsSource(record, wanted)).toBe(false);
  });

  it('never touches attributes the source does not own (badge stays)', () => {
    const { update } = identityChanges(record, { ...same, manager: 'boss' });
    expect(update).toEqual({ attributes: { manager: 'boss' } });
  });

  it('a status change: deactivate or reactivate', () => {
    expect(identityChanges(record, { ...same, active: false })).toEqual({ activate: false });
    expect(identityChanges({ ...record, active: false }, same)).toEqual({ activate: true });
  });

  it('registration: the profile and the source attributes that have a value', () => {
    expect(registration({ ...same, department: undefined, employeeNumber: '' }, 'e-1')).toEqual({
      id: 'e-1',
      login: 'amartin',
      firstName: 'Alice',
      lastName: 'Martin',
      email: 'alice@example.test',
      attributes: { externalId: 'HR-1' },
    });
  });
});
