import { type AssignmentEvent, assignmentDecider, foldEvents } from '@prov/domain';
import { holdsAccountKey, ownershipConflict } from './account-ownership';

const claim = { connectionId: 'corp_ldap', accountKey: 'jdoe', identityId: 'john.doe', assignmentId: 'a-2' };

describe('one owner per account', () => {
  it('lets an identity have a key nobody else holds, or one it holds already', () => {
    expect(ownershipConflict(claim, [])).toBeUndefined();
    expect(ownershipConflict(claim, ['john.doe', 'john.doe'])).toBeUndefined();
  });

  it('refuses a key another identity holds, naming both identities', () => {
    expect(ownershipConflict(claim, ['jane.doe', 'john.doe'])).toBe(
      "account key 'jdoe' on connection corp_ldap is already the account of identity jane.doe; " +
        'identity john.doe computes the same key (one owner per account)',
    );
  });

  const requested: AssignmentEvent = {
    type: 'AssignmentRequested',
    data: {
      assignmentId: 'a-1',
      identityId: 'jane.doe',
      entitlementId: 'ldap_staff',
      at: '2030-01-01T08:00:00.000Z',
      by: 'x',
    },
  };
  const generated = (
    code: 1 | 5,
    changeType: 'Added' | 'Deleted' = 'Added',
    orderId = 'o-1',
  ): AssignmentEvent => ({
    type: 'ProvisioningOrderGenerated',
    data: {
      assignmentId: 'a-1',
      orderId,
      at: '2030-01-01T08:01:00.000Z',
      identityId: 'jane.doe',
      entitlementId: 'ldap_staff',
      changeType,
      connectionId: 'corp_ldap',
      resourceTypeId: 'ldap_account',
      fulfillment: 'automatic',
      changes: { accountKey: 'jdoe', attributes: {} },
      requiresReview: code === 5,
      outcome: code === 5 ? 'ReviewRequired' : 'ReadyForProvisioning',
      reevaluated: false,
      attempt: 1,
      provisioningState: code === 5 ? 'AwaitingApproval' : 'Pending',
      provisioningStateCode: code,
    },
  });
  const state = (...events: AssignmentEvent[]) => foldEvents(assignmentDecider, events);

  it('counts a live assignment whose current order adds the key, even before review, as holding it', () => {
    expect(holdsAccountKey(state(requested, generated(1)), 'corp_ldap', 'jdoe')).toBe(true);
    expect(holdsAccountKey(state(requested, generated(5)), 'corp_ldap', 'jdoe')).toBe(true);
    expect(holdsAccountKey(state(requested, generated(1)), 'corp_ldap', 'jdoe2')).toBe(false);
    expect(holdsAccountKey(state(requested, generated(1)), 'hr_app', 'jdoe')).toBe(false);
  });

  it('counts a claimant whose first order is not appended yet as holding the key (claim before order), unless revoked', () => {
    const revoked: AssignmentEvent = {
      type: 'AssignmentRevoked',
      data: { assignmentId: 'a-1', at: '2030-01-01T09:00:00.000Z', by: 'x' },
    } as AssignmentEvent;
    expect(holdsAccountKey(state(requested), 'corp_ldap', 'jdoe')).toBe(true);
    expect(holdsAccountKey(state(requested, revoked), 'corp_ldap', 'jdoe')).toBe(false);
  });

  it('keeps the key held after a revocation until the removal is verified, then frees it', () => {
    const revoked: AssignmentEvent = {
      type: 'AssignmentRevoked',
      data: { assignmentId: 'a-1', at: '2030-01-01T09:00:00.000Z', by: 'x' },
    } as AssignmentEvent;
    expect(holdsAccountKey(state(requested, generated(1), revoked), 'corp_ldap', 'jdoe')).toBe(true);
    const removal = generated(1, 'Deleted', 'o-2');
    expect(holdsAccountKey(state(requested, generated(1), revoked, removal), 'corp_ldap', 'jdoe')).toBe(true);
    const removed: AssignmentEvent = {
      type: 'ProvisioningOrderVerified',
      data: {
        assignmentId: 'a-1',
        orderId: 'o-2',
        at: '2030-01-01T09:05:00.000Z',
        provisioningState: 'Verified',
        provisioningStateCode: 4,
      },
    } as AssignmentEvent;
    const executed: AssignmentEvent = {
      type: 'ProvisioningOrderExecuted',
      data: {
        assignmentId: 'a-1',
        orderId: 'o-2',
        at: '2030-01-01T09:04:00.000Z',
        attempt: 1,
        provisioningState: 'Executed',
        provisioningStateCode: 8,
      },
    } as AssignmentEvent;
    expect(
      holdsAccountKey(
        state(requested, generated(1), revoked, removal, executed, removed),
        'corp_ldap',
        'jdoe',
      ),
    ).toBe(false);
    expect(holdsAccountKey(state(), 'corp_ldap', 'jdoe')).toBe(false);
  });
});
