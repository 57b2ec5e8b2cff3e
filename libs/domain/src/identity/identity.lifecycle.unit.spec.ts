import { IdentityInactiveError, IdentityNotFoundError, ValidationError } from '../errors';
import { DeciderSpecification } from '../testing/decider-specification';
import type { IdentityCommand } from './identity.commands';
import { identityDecider } from './identity.decider';
import type { IdentityEvent } from './identity.events';
import { findHolding, ruleHolders } from './identity.state';

const given = DeciderSpecification.for(identityDecider);
const now = new Date('2030-01-01T08:00:00.000Z');
const at = now.toISOString();

const registered: IdentityEvent = {
  type: 'IdentityRegistered',
  data: {
    identityId: 'i-1',
    login: 'jdoe',
    firstName: 'Jane',
    lastName: 'Doe',
    email: 'j@example.org',
    attributes: {},
    at,
  },
};
const deactivated: IdentityEvent = { type: 'IdentityDeactivated', data: { identityId: 'i-1', at } };
const held = (
  assignmentId: string,
  holder: 'request' | `rule:${string}`,
  entitlementId = 'ldap_staff',
): IdentityEvent => ({
  type: 'EntitlementHeld',
  data: { identityId: 'i-1', entitlementId, assignmentId, holder, at },
});
const command = <C extends IdentityCommand['type']>(
  type: C,
  fields: Omit<Extract<IdentityCommand, { type: C }>, 'type' | 'identityId' | 'now'>,
) => ({ type, identityId: 'i-1', now, ...fields }) as Extract<IdentityCommand, { type: C }>;

describe('identity deactivation (leaver) and reactivation', () => {
  it('deactivates an active identity with the comment', () => {
    given([registered])
      .when(command('DeactivateIdentity', { comment: 'left the company', actor: 'hr' }))
      .then([
        {
          type: 'IdentityDeactivated',
          data: { identityId: 'i-1', comment: 'left the company', at, by: 'hr' },
        },
      ]);
  });

  it('deactivating twice changes nothing; reactivating an active identity changes nothing', () => {
    given([registered, deactivated]).when(command('DeactivateIdentity', {})).thenNothingHappened();
    given([registered]).when(command('ReactivateIdentity', {})).thenNothingHappened();
  });

  it('reactivates a deactivated identity', () => {
    given([registered, deactivated])
      .when(command('ReactivateIdentity', {}))
      .then([{ type: 'IdentityReactivated', data: { identityId: 'i-1', at } }]);
  });

  it('is refused for an unknown identity', () => {
    given([]).when(command('DeactivateIdentity', {})).thenThrows(IdentityNotFoundError);
  });

  describe('at a future date', () => {
    const later = new Date('2030-02-01T00:00:00.000Z');
    const scheduled: IdentityEvent = {
      type: 'IdentityDeactivationScheduled',
      data: { identityId: 'i-1', comment: 'contract ends', at, effectiveAt: later.toISOString() },
    };

    it('schedules the deactivation; the same schedule again changes nothing', () => {
      given([registered])
        .when(command('DeactivateIdentity', { at: later, comment: 'contract ends' }))
        .then([scheduled]);
      given([registered, scheduled])
        .when(command('DeactivateIdentity', { at: later }))
        .thenNothingHappened();
    });

    it('deactivates when the time has come (a date not after now)', () => {
      given([registered, scheduled])
        .when(command('DeactivateIdentity', { at: now }))
        .then([{ type: 'IdentityDeactivated', data: { identityId: 'i-1', at } }]);
    });

    it('reactivating cancels the schedule', () => {
      given([registered, scheduled])
        .when(command('ReactivateIdentity', {}))
        .then([{ type: 'IdentityReactivated', data: { identityId: 'i-1', at } }]);
      const state = [registered, scheduled].reduce(identityDecider.evolve, identityDecider.initialState());
      expect(state).toMatchObject({ active: true, deactivationScheduledAt: later.toISOString() });
      const deactivated = identityDecider.evolve(state, {
        type: 'IdentityDeactivated',
        data: { identityId: 'i-1', at },
      });
      expect(deactivated).not.toHaveProperty('deactivationScheduledAt');
    });

    it('checks the date', () => {
      given([registered])
        .when(command('DeactivateIdentity', { at: new Date('nope') }))
        .thenThrows(ValidationError, (e) => e.field === 'at');
    });
  });

  it('folds the status', () => {
    const state = [registered, deactivated].reduce(identityDecider.evolve, identityDecider.initialState());
    expect(state).toMatchObject({ active: false, deactivatedAt: at });
    const back = identityDecider.evolve(state, {
      type: 'IdentityReactivated',
      data: { identityId: 'i-1', at },
    });
    expect(back).toMatchObject({ active: true });
    expect(back).not.toHaveProperty('deactivatedAt');
  });
});

describe('one assignment per identity and entitlement', () => {
  const hold = (assignmentId: string, holder: 'request' | `rule:${string}`) =>
    command('HoldEntitlement', { entitlementId: 'ldap_staff', assignmentId, holder });

  it('the first holder creates the holding with the proposed assignment', () => {
    given([registered])
      .when(hold('a-1', 'request'))
      .then([held('a-1', 'request')]);
  });

  it('a second holder joins the existing assignment, not the proposed one', () => {
    given([registered, held('a-1', 'rule:finance')])
      .when(hold('a-2', 'request'))
      .then([held('a-1', 'request')]);
  });

  it('the same holder again changes nothing (a repeated request)', () => {
    given([registered, held('a-1', 'request')])
      .when(hold('a-2', 'request'))
      .thenNothingHappened();
  });

  it('a deactivated identity is granted nothing', () => {
    given([registered, deactivated])
      .when(hold('a-1', 'request'))
      .thenThrows(IdentityInactiveError, (e) => e.message.includes('deactivated'));
  });

  it('checks the holder', () => {
    given([registered])
      .when(hold('a-1', 'boss' as 'request'))
      .thenThrows(ValidationError, (e) => e.field === 'holder');
  });

  it('releases a rule hold, keeping the assignment while another holder remains', () => {
    const events = [registered, held('a-1', 'rule:finance'), held('a-1', 'request')];
    given(events)
      .when(command('ReleaseEntitlementHold', { entitlementId: 'ldap_staff', holder: 'rule:finance' }))
      .then([
        {
          type: 'EntitlementHoldReleased',
          data: {
            identityId: 'i-1',
            entitlementId: 'ldap_staff',
            at,
            assignmentId: 'a-1',
            holder: 'rule:finance',
          },
        },
      ]);
    given(events)
      .when(command('ReleaseEntitlementHold', { entitlementId: 'ldap_staff', holder: 'rule:other' }))
      .thenNothingHappened();
  });

  it('releases the entitlement once its assignment is revoked, and only for that assignment', () => {
    const released: IdentityEvent = {
      type: 'EntitlementReleased',
      data: { identityId: 'i-1', entitlementId: 'ldap_staff', at, assignmentId: 'a-1' },
    };
    given([registered, held('a-1', 'request')])
      .when(command('ReleaseEntitlement', { entitlementId: 'ldap_staff', assignmentId: 'a-1' }))
      .then([released]);
    given([registered, held('a-1', 'request')])
      .when(command('ReleaseEntitlement', { entitlementId: 'ldap_staff', assignmentId: 'a-9' }))
      .thenNothingHappened();
    const state = [registered, held('a-1', 'request'), released].reduce(
      identityDecider.evolve,
      identityDecider.initialState(),
    );
    expect(findHolding(state, 'ldap_staff')).toBeUndefined();
  });

  it('folds the holders of each entitlement', () => {
    const state = [registered, held('a-1', 'rule:finance'), held('a-1', 'request')].reduce(
      identityDecider.evolve,
      identityDecider.initialState(),
    );
    expect(findHolding(state, 'ldap_staff')).toEqual({
      assignmentId: 'a-1',
      holders: ['rule:finance', 'request'],
    });
    expect(ruleHolders(findHolding(state, 'ldap_staff'))).toEqual(['finance']);
    expect(findHolding(state, 'constructor')).toBeUndefined();
  });
});
