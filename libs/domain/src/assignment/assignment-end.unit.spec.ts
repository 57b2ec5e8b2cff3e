import { EndDateNotPassedError } from '../errors';
import { toStateView } from '../provisioning-state';
import {
  ASSIGNMENT_ID,
  ENTITLEMENT_ID,
  generatedEvent,
  IDENTITY_ID,
  iso,
  minutes,
  orderInState,
  requestedEvent,
  revokedEvent,
} from '../testing/assignment-fixtures';
import { DeciderSpecification } from '../testing/decider-specification';
import type { EndAssignment } from './assignment.commands';
import { assignmentDecider } from './assignment.decider';
import type { AssignmentEvent } from './assignment.events';
import { assignmentEnding } from './assignment-end';

/**
 * The end date passes (timer): what was not fulfilled becomes 6 Inactive, and what may be in the
 * managed system gets a `Deleted` order, whatever state the assignment's orders are in.
 */

const given = DeciderSpecification.for(assignmentDecider);
const endsAt = iso(minutes(2));
const at = iso(minutes(3));
const end = (fields: Partial<EndAssignment> = {}): EndAssignment => ({
  type: 'EndAssignment',
  assignmentId: ASSIGNMENT_ID,
  orderId: 'o-end',
  now: minutes(3),
  actor: 'timer',
  ...fields,
});
const ending = (
  stateCode: Parameters<typeof orderInState>[0],
  fulfillment: 'automatic' | 'manual' = 'automatic',
) => orderInState(stateCode, { endsAt, fulfillment });

const deactivated = (orderId = 'o-1'): AssignmentEvent => ({
  type: 'ProvisioningOrderDeactivated',
  data: { assignmentId: ASSIGNMENT_ID, at, by: 'timer', orderId, endsAt, ...toStateView(6) },
});
const superseded = (stateCode: 2 | 4 | 8, orderId = 'o-1'): AssignmentEvent => ({
  type: 'ProvisioningOrderSuperseded',
  data: {
    assignmentId: ASSIGNMENT_ID,
    at,
    by: 'timer',
    orderId,
    supersededBy: 'o-end',
    reason: 'AssignmentEnded',
    ...toStateView(stateCode),
  },
});
const removal = (fields: Record<string, unknown> = {}): AssignmentEvent =>
  ({
    type: 'ProvisioningOrderGenerated',
    data: {
      assignmentId: ASSIGNMENT_ID,
      at,
      by: 'timer',
      orderId: 'o-end',
      identityId: IDENTITY_ID,
      entitlementId: ENTITLEMENT_ID,
      changeType: 'Deleted',
      connectionId: 'ldap',
      resourceTypeId: 'ldap-account',
      fulfillment: 'automatic',
      changes: { uid: 'jdoe' },
      requiresReview: false,
      outcome: 'AssignmentEnded',
      reevaluated: false,
      attempt: 1,
      ...toStateView(1),
      ...fields,
    },
  }) as AssignmentEvent;

describe('EndAssignment: unfulfilled orders', () => {
  it.each([1, 3, 5, 7] as const)('%i → 6 Inactive, nothing to remove', (stateCode) => {
    given(ending(stateCode)).when(end()).then([deactivated()]);
  });
});

describe('EndAssignment: fulfilled access is removed', () => {
  it('8 Executed → superseded by a Deleted order, Pending, not held for review', () => {
    given(ending(8))
      .when(end())
      .then([superseded(8), removal()]);
  });

  it('4 Verified (closed) → a Deleted order; nothing to supersede', () => {
    given(ending(4)).when(end()).then([removal()]);
  });

  it('2 Transmitted to operators → superseded by a Deleted order for the operators', () => {
    given(ending(2, 'manual'))
      .when(end())
      .then([superseded(2), removal({ fulfillment: 'manual' })]);
  });

  it('a Verified account with a newer order still awaiting approval: that order Inactive, the account removed', () => {
    const events: AssignmentEvent[] = [
      requestedEvent({ endsAt }),
      generatedEvent('o-1', 4),
      {
        type: 'ProvisioningOrderSuperseded',
        data: {
          assignmentId: ASSIGNMENT_ID,
          orderId: 'o-1',
          at: iso(minutes(1)),
          supersededBy: 'o-2',
          reason: 'RoleModelChanged',
          ...toStateView(4),
        },
      },
      generatedEvent('o-2', 5, { changeType: 'Modified', changes: { uid: 'jdoe', mail: 'j@x' } }),
    ];
    given(events)
      .when(end())
      .then([deactivated('o-2'), removal()]);
  });

  it('the removal carries the change that was last written (the current order when it was written)', () => {
    const events: AssignmentEvent[] = [
      requestedEvent({ endsAt }),
      generatedEvent('o-1', 4),
      generatedEvent('o-2', 4, { changeType: 'Modified', changes: { uid: 'jdoe', mail: 'j@x' } }),
    ];
    given(events)
      .when(end())
      .then([removal({ changes: { uid: 'jdoe', mail: 'j@x' } })]);
  });
});

describe('EndAssignment: nothing to do', () => {
  it('before the end date → EndDateNotPassedError naming the date', () => {
    given(ending(8))
      .when(end({ now: minutes(1) }))
      .thenThrows(EndDateNotPassedError, (error) => expect(error.message).toContain(endsAt));
  });

  it('without an end date → EndDateNotPassedError', () => {
    given(orderInState(8)).when(end()).thenThrows(EndDateNotPassedError);
  });

  it('a second time (the Deleted order exists) → no events', () => {
    given([...ending(8), superseded(8), removal()])
      .when(end())
      .thenNothingHappened();
    given([...ending(8), superseded(8), removal()])
      .when(end({ orderId: 'o-other' }))
      .thenNothingHappened();
  });

  it('already Inactive or declined → no events', () => {
    given(ending(6)).when(end()).thenNothingHappened();
    given(ending(0)).when(end()).thenNothingHappened();
  });

  it('revoked: the revocation removes the access, not the end date', () => {
    given([...ending(8), revokedEvent()])
      .when(end())
      .thenNothingHappened();
  });
});

describe('assignmentEnding (what the timer asks)', () => {
  const fold = (events: AssignmentEvent[]) => {
    const state = events.reduce(assignmentDecider.evolve, assignmentDecider.initialState());
    if (!state.exists) throw new Error('no assignment');
    return state;
  };

  it('is due only once the end date passed and only while something is left to end', () => {
    expect(assignmentEnding(fold(ending(8)), minutes(1))).toBeUndefined();
    expect(assignmentEnding(fold(ending(8)), minutes(2))).toMatchObject({
      deactivate: [],
      remove: { orderId: 'o-1' },
    });
    expect(assignmentEnding(fold(ending(6)), minutes(3))).toBeUndefined();
    expect(assignmentEnding(fold([...ending(8), superseded(8), removal()]), minutes(3))).toBeUndefined();
  });
});
