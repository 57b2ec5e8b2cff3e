import {
  type AssignmentEvent,
  assignmentDecider,
  DeciderSpecification,
  foldEvents,
  type ProvisioningOrderGenerated,
} from '@prov/domain';
import { restoreCommand, restoreOrderId } from './drift-restore';

const at = new Date('2030-01-01T09:00:00.000Z');
const changes = { accountKey: 'jdoe', attributes: { mail: 'jdoe@example.com' }, group: 'staff' };

const requested: AssignmentEvent = {
  type: 'AssignmentRequested',
  data: {
    assignmentId: 'a-1',
    identityId: 'i-1',
    entitlementId: 'e-1',
    at: '2030-01-01T08:00:00.000Z',
    by: 'alice',
  },
};
const generated = (
  orderId: string,
  code: 1 | 5,
  requiresReview = code === 5,
): ProvisioningOrderGenerated => ({
  type: 'ProvisioningOrderGenerated',
  data: {
    assignmentId: 'a-1',
    orderId,
    at: '2030-01-01T08:01:00.000Z',
    identityId: 'i-1',
    entitlementId: 'e-1',
    changeType: 'Added',
    connectionId: 'corp_ldap',
    resourceTypeId: 'ldap_account',
    fulfillment: 'automatic',
    changes,
    requiresReview,
    outcome: code === 5 ? 'ReviewRequired' : 'ReadyForProvisioning',
    reevaluated: false,
    attempt: 1,
    provisioningState: code === 5 ? 'AwaitingApproval' : 'Pending',
    provisioningStateCode: code,
  },
});
const executedAndVerified = (orderId: string): AssignmentEvent[] => [
  {
    type: 'ProvisioningOrderExecuted',
    data: {
      assignmentId: 'a-1',
      orderId,
      at: '2030-01-01T08:02:00.000Z',
      attempt: 1,
      provisioningState: 'Executed',
      provisioningStateCode: 8,
    },
  } as AssignmentEvent,
  {
    type: 'ProvisioningOrderVerified',
    data: {
      assignmentId: 'a-1',
      orderId,
      at: '2030-01-01T08:03:00.000Z',
      provisioningState: 'Verified',
      provisioningStateCode: 4,
    },
  } as AssignmentEvent,
];

const stateOf = (events: AssignmentEvent[]) => foldEvents(assignmentDecider, events);
const given = DeciderSpecification.for(assignmentDecider);

describe('restoring drift', () => {
  const verified = [requested, generated('o-1', 1), ...executedAndVerified('o-1')];

  it('given a verified order whose account was deleted by hand, when restored, then an Added order re-applies its change', () => {
    const command = restoreCommand(
      stateOf(verified),
      { assignmentId: 'a-1', orderId: 'o-1', changeType: 'Added' },
      at,
    );
    expect(command).toMatchObject({
      type: 'GenerateProvisioningOrder',
      changeType: 'Added',
      changes,
      requiresReview: false,
    });
    expect(command?.orderId).toBe(restoreOrderId('a-1', 'o-1'));
    given(verified)
      .when(command!)
      .then([
        {
          type: 'ProvisioningOrderGenerated',
          data: {
            ...generated(restoreOrderId('a-1', 'o-1'), 1).data,
            at: at.toISOString(),
            by: 'synchronization',
            origin: 'request',
          },
        },
      ]);
  });

  it('given a verified order that needed review, when a value differs, then the Modified restore order waits for review', () => {
    const reviewed = [requested, generated('o-1', 5), ...executedAndVerified('o-1')];
    const command = restoreCommand(
      stateOf(reviewed),
      { assignmentId: 'a-1', orderId: 'o-1', changeType: 'Modified' },
      at,
    );
    expect(command).toMatchObject({ changeType: 'Modified', requiresReview: true });
  });

  it('given the restore order was already generated, when the same drift is seen again, then nothing more is generated', () => {
    const command = restoreCommand(
      stateOf(verified),
      { assignmentId: 'a-1', orderId: 'o-1', changeType: 'Added' },
      at,
    )!;
    const after = [...verified, ...assignmentDecider.decide(command, stateOf(verified))];
    expect(
      restoreCommand(stateOf(after), { assignmentId: 'a-1', orderId: 'o-1', changeType: 'Added' }, at),
    ).toBeUndefined();
    given(after).when(command).thenNothingHappened();
  });

  it('given the order is not verified (still on its way) or the assignment was revoked, then nothing is restored', () => {
    const pending = [requested, generated('o-1', 1)];
    expect(
      restoreCommand(stateOf(pending), { assignmentId: 'a-1', orderId: 'o-1', changeType: 'Added' }, at),
    ).toBeUndefined();
    const revoked: AssignmentEvent[] = [
      ...verified,
      {
        type: 'AssignmentRevoked',
        data: { assignmentId: 'a-1', at: '2030-01-01T08:30:00.000Z', by: 'alice' },
      } as AssignmentEvent,
    ];
    expect(
      restoreCommand(stateOf(revoked), { assignmentId: 'a-1', orderId: 'o-1', changeType: 'Added' }, at),
    ).toBeUndefined();
  });
});
