import { generatedEvent, requestedEvent } from '../testing/assignment-fixtures';
import { type AccountChanges, appliedAccount, plannedAccountChange } from './account-change';
import type { AssignmentEvent } from './assignment.events';
import { evolve, initialState } from './assignment.state';

const account: AccountChanges = {
  accountKey: 'jdoe',
  attributes: { sn: 'Doe', mail: 'jdoe@example.org', departmentNumber: 'Sales' },
  group: 'staff',
};
const fold = (events: AssignmentEvent[]) => events.reduce(evolve, initialState());
const added = (stateCode: 1 | 4 | 5, changes: AccountChanges = account) =>
  generatedEvent('o-1', stateCode, { changes: changes as unknown as Record<string, unknown> });
const modified = (orderId: string, stateCode: 1 | 5, changes: Partial<AccountChanges>) =>
  generatedEvent(orderId, stateCode, { changeType: 'Modified', changes: { ...changes } });

describe('which assignments need a Modified order (mover)', () => {
  it('nothing when nothing computed changed', () => {
    expect(plannedAccountChange(fold([requestedEvent(), added(4)]), account)).toBeUndefined();
  });

  it('a Modified order with only the changed attributes', () => {
    const computed = { ...account, attributes: { ...account.attributes, sn: 'Smith' } };
    expect(plannedAccountChange(fold([requestedEvent(), added(4)]), computed)).toEqual({
      changeType: 'Modified',
      changes: { accountKey: 'jdoe', attributes: { sn: 'Smith' }, group: 'staff' },
    });
  });

  it('names the previous key when the account key changes (a rename)', () => {
    const computed = { ...account, accountKey: 'jsmith' };
    expect(plannedAccountChange(fold([requestedEvent(), added(1)]), computed)).toEqual({
      changeType: 'Modified',
      changes: { accountKey: 'jsmith', previousAccountKey: 'jdoe', attributes: {}, group: 'staff' },
    });
  });

  it('compares with what applied orders wrote, so an unapproved change is asked for again', () => {
    const events = [
      requestedEvent(),
      added(4),
      modified('o-2', 5, { accountKey: 'jdoe', attributes: { sn: 'Smith' } }),
    ];
    const computed = {
      ...account,
      attributes: { ...account.attributes, sn: 'Smith', departmentNumber: 'HR' },
    };
    expect(plannedAccountChange(fold(events), computed)?.changes.attributes).toEqual({
      sn: 'Smith',
      departmentNumber: 'HR',
    });
    const applied = [
      requestedEvent(),
      added(4),
      modified('o-2', 1, { accountKey: 'jsmith', attributes: { sn: 'Smith' } }),
    ];
    expect(appliedAccount(fold(applied))).toEqual({
      accountKey: 'jsmith',
      attributes: { ...account.attributes, sn: 'Smith' },
      group: 'staff',
    });
  });

  it('a new Added order when the account was never written and the waiting one is out of date', () => {
    const computed = { ...account, accountKey: 'jsmith' };
    expect(plannedAccountChange(fold([requestedEvent(), added(5)]), computed)).toEqual({
      changeType: 'Added',
      changes: computed,
    });
    expect(plannedAccountChange(fold([requestedEvent(), added(5)]), account)).toBeUndefined();
  });

  it('nothing for a revoked, declined or ended assignment, or one without an order', () => {
    const computed = { ...account, accountKey: 'jsmith' };
    const revoked: AssignmentEvent = {
      type: 'AssignmentRevoked',
      data: { assignmentId: 'a-1', identityId: 'i-1', entitlementId: 'e-1', at: '2030-01-01T09:00:00.000Z' },
    };
    expect(plannedAccountChange(fold([requestedEvent(), added(4), revoked]), computed)).toBeUndefined();
    expect(plannedAccountChange(fold([requestedEvent()]), computed)).toBeUndefined();
    const ended = generatedEvent('o-1', 6, { changes: { ...account } });
    expect(plannedAccountChange(fold([requestedEvent(), ended]), computed)).toBeUndefined();
  });
});
