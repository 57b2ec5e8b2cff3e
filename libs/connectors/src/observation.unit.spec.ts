import type { OrderToApply, SynchronizedResources } from './connector';
import { findNonConforming, isOrderObserved } from './observation';

function order(
  changeType: OrderToApply['changeType'],
  changes: OrderToApply['changes'],
): Pick<OrderToApply, 'changeType' | 'changes'> {
  return { changeType, changes };
}

const target: SynchronizedResources = {
  accounts: [
    {
      accountKey: 'jdoe',
      attributes: { displayName: 'Jane Doe', level: '3', active: 'true', manager: null },
    },
    { accountKey: 'bob', attributes: { displayName: 'Bob' } },
    { accountKey: 'ghost', attributes: {} },
  ],
  memberships: [
    { accountKey: 'jdoe', group: 'readers' },
    { accountKey: 'bob', group: 'admins' },
    { accountKey: 'ghost', group: 'readers' },
  ],
};

describe('isOrderObserved', () => {
  it('sees an Added account with its attributes and group', () => {
    expect(
      isOrderObserved(
        order('Added', { accountKey: 'jdoe', attributes: { displayName: 'Jane Doe' }, group: 'readers' }),
        target,
      ),
    ).toBe(true);
  });

  it('compares values as text, with null, undefined and "" all meaning no value', () => {
    const attributes = { level: 3, active: true, manager: '', department: null };
    expect(isOrderObserved(order('Modified', { accountKey: 'jdoe', attributes }), target)).toBe(true);
  });

  it('does not see an account whose attribute differs, or that is missing', () => {
    expect(
      isOrderObserved(
        order('Modified', { accountKey: 'jdoe', attributes: { displayName: 'Jane D.' } }),
        target,
      ),
    ).toBe(false);
    expect(isOrderObserved(order('Added', { accountKey: 'nobody', attributes: {} }), target)).toBe(false);
  });

  it('does not see an Added order whose membership is missing', () => {
    expect(
      isOrderObserved(order('Added', { accountKey: 'jdoe', attributes: {}, group: 'admins' }), target),
    ).toBe(false);
  });

  it('sees a Deleted membership once the membership is gone, even if the account stays', () => {
    expect(
      isOrderObserved(order('Deleted', { accountKey: 'jdoe', attributes: {}, group: 'admins' }), target),
    ).toBe(true);
    expect(
      isOrderObserved(order('Deleted', { accountKey: 'jdoe', attributes: {}, group: 'readers' }), target),
    ).toBe(false);
  });

  it('sees a Deleted account-only order once the account is gone', () => {
    expect(isOrderObserved(order('Deleted', { accountKey: 'nobody', attributes: {} }), target)).toBe(true);
    expect(isOrderObserved(order('Deleted', { accountKey: 'bob', attributes: {} }), target)).toBe(false);
  });

  it('works on an empty target', () => {
    const empty = { accounts: [], memberships: [] };
    expect(isOrderObserved(order('Added', { accountKey: 'x', attributes: {} }), empty)).toBe(false);
    expect(isOrderObserved(order('Deleted', { accountKey: 'x', attributes: {}, group: 'g' }), empty)).toBe(
      true,
    );
  });
});

describe('findNonConforming', () => {
  it('reports accounts and memberships that no assignment expects', () => {
    const result = findNonConforming(target, [
      { accountKey: 'jdoe', group: 'readers' },
      { accountKey: 'bob' },
    ]);
    expect(result.accounts.map((a) => a.accountKey)).toEqual(['ghost']);
    expect(result.memberships).toEqual([
      { accountKey: 'bob', group: 'admins' },
      { accountKey: 'ghost', group: 'readers' },
    ]);
  });

  it('reports nothing when everything is expected', () => {
    const expected = target.memberships.map((m) => ({ accountKey: m.accountKey, group: m.group }));
    expect(findNonConforming(target, expected)).toEqual({ accounts: [], memberships: [] });
  });

  it('reports everything when nothing is expected', () => {
    expect(findNonConforming(target, [])).toEqual({
      accounts: target.accounts,
      memberships: target.memberships,
    });
  });
});

describe('isOrderObserved with disabled accounts and write-only attributes', () => {
  const order = (changeType: 'Added' | 'Deleted', attributes: Record<string, unknown> = {}) => ({
    changeType,
    changes: { accountKey: 'jdoe', attributes },
  });

  it('counts a disabled account as removed for an account-only Deleted order', () => {
    const resources = { accounts: [{ accountKey: 'jdoe', attributes: {}, disabled: true }], memberships: [] };
    expect(isOrderObserved(order('Deleted'), resources)).toBe(true);
    expect(
      isOrderObserved(order('Deleted'), { ...resources, accounts: [{ accountKey: 'jdoe', attributes: {} }] }),
    ).toBe(false);
  });

  it('does not expect a password to be read back', () => {
    const resources = { accounts: [{ accountKey: 'jdoe', attributes: { mail: 'j@x' } }], memberships: [] };
    expect(isOrderObserved(order('Added', { mail: 'j@x', password: 'Secret-1234' }), resources)).toBe(true);
    expect(isOrderObserved(order('Added', { mail: 'other@x', password: 'Secret-1234' }), resources)).toBe(
      false,
    );
  });
});
