import type { SynchronizedResources } from './connector';
import { findDrift, restorePlans, type VerifiedResource } from './drift';

const target: SynchronizedResources = {
  accounts: [
    { accountKey: 'ann', attributes: { mail: 'ann@example.com', displayName: 'Ann Lee' } },
    { accountKey: 'bob', attributes: { mail: 'bob@elsewhere.com', displayName: 'Bob' } },
    { accountKey: 'intruder', attributes: {} },
  ],
  memberships: [
    { accountKey: 'ann', group: 'staff' },
    { accountKey: 'bob', group: 'staff' },
    { accountKey: 'intruder', group: 'admins' },
    { accountKey: 'ann', group: 'admins' },
  ],
};

const verified = (
  assignmentId: string,
  accountKey: string,
  attributes: Record<string, unknown>,
  group?: string,
): VerifiedResource => ({
  assignmentId,
  orderId: `order-${assignmentId}`,
  changes: { accountKey, attributes, ...(group ? { group } : {}) },
});

const expectedOf = (orders: VerifiedResource[]) =>
  orders.map((o) => ({ accountKey: o.changes.accountKey, group: o.changes.group }));

describe('findDrift', () => {
  it('given the target as written, when compared, then there is no drift', () => {
    const orders = [
      verified('a1', 'ann', { mail: 'ann@example.com' }, 'staff'),
      verified('a2', 'ann', {}, 'admins'),
    ];
    const exact = {
      accounts: target.accounts.slice(0, 1),
      memberships: [target.memberships[0], target.memberships[3]],
    };
    expect(findDrift(exact, expectedOf(orders), orders)).toEqual([]);
  });

  it('reports accounts and memberships nobody expects as unexpected', () => {
    const orders = [verified('a1', 'ann', {}, 'staff'), verified('a2', 'bob', {}, 'staff')];
    expect(findDrift(target, expectedOf(orders), orders)).toEqual([
      { drift: 'unexpected', kind: 'account', accountKey: 'intruder' },
      { drift: 'unexpected', kind: 'membership', accountKey: 'intruder', group: 'admins' },
      { drift: 'unexpected', kind: 'membership', accountKey: 'ann', group: 'admins' },
    ]);
  });

  it('reports an account deleted by hand once, as missing, with every assignment it served', () => {
    const orders = [
      verified('a1', 'cid', { mail: 'cid@example.com' }, 'staff'),
      verified('a2', 'cid', { mail: 'cid@example.com' }, 'admins'),
    ];
    const drift = findDrift(target, expectedOf(orders), orders).filter((f) => f.drift !== 'unexpected');
    expect(drift).toEqual([
      {
        drift: 'missing',
        kind: 'account',
        accountKey: 'cid',
        owners: [
          { assignmentId: 'a1', orderId: 'order-a1' },
          { assignmentId: 'a2', orderId: 'order-a2' },
        ],
      },
    ]);
  });

  it('reports a membership removed by hand as missing', () => {
    const orders = [verified('a1', 'bob', {}, 'admins')];
    const drift = findDrift(target, expectedOf(orders), orders).filter((f) => f.drift !== 'unexpected');
    expect(drift).toEqual([
      {
        drift: 'missing',
        kind: 'membership',
        accountKey: 'bob',
        group: 'admins',
        owners: [{ assignmentId: 'a1', orderId: 'order-a1' }],
      },
    ]);
  });

  it('reports a value changed by hand as differing, naming the attribute', () => {
    const orders = [verified('a1', 'bob', { mail: 'bob@example.com', displayName: 'Bob' }, 'staff')];
    expect(findDrift(target, expectedOf(orders), orders).filter((f) => f.drift !== 'unexpected')).toEqual([
      {
        drift: 'differing',
        kind: 'attribute',
        accountKey: 'bob',
        attribute: 'mail',
        owners: [{ assignmentId: 'a1', orderId: 'order-a1' }],
      },
    ]);
  });

  it('never compares write-only attributes, and compares values as text', () => {
    const orders = [
      verified('a1', 'ann', {
        userPassword: 'secret',
        password: 'x',
        unicodePwd: 'y',
        level: null,
        mail: 'ann@example.com',
      }),
    ];
    expect(findDrift(target, expectedOf(orders), orders).filter((f) => f.drift !== 'unexpected')).toEqual([]);
  });
});

describe('restorePlans', () => {
  it('creates a missing account again (Added) for each assignment it served', () => {
    const orders = [verified('a1', 'cid', {}, 'staff'), verified('a2', 'cid', {}, 'admins')];
    expect(restorePlans(findDrift(target, expectedOf(orders), orders))).toEqual([
      { assignmentId: 'a1', orderId: 'order-a1', changeType: 'Added' },
      { assignmentId: 'a2', orderId: 'order-a2', changeType: 'Added' },
    ]);
  });

  it('brings a differing value or a missing membership back with one Modified order per assignment', () => {
    const orders = [verified('a1', 'bob', { mail: 'bob@example.com', displayName: 'Robert' }, 'admins')];
    expect(restorePlans(findDrift(target, expectedOf(orders), orders))).toEqual([
      { assignmentId: 'a1', orderId: 'order-a1', changeType: 'Modified' },
    ]);
  });

  it('restores nothing for unexpected resources: they belong to no assignment', () => {
    expect(restorePlans([{ drift: 'unexpected', kind: 'account', accountKey: 'intruder' }])).toEqual([]);
  });
});
