import { findDrift, type SynchronizedResources } from '@prov/connectors';
import { ProvisioningState } from '@prov/domain';
import type { OrderView } from '@prov/read-models';
import { findDriftBySlices } from './drift-by-slices';
import { readBackInMemory, type ReadBackView } from './read-back-view';

/**
 * The synchronization's comparison a slice at a time (ADR 0063): it finds what findDrift finds on
 * the whole read-back, and no call ever hands it more than a slice of the read-back.
 */
const ORDERS = 2_500;
const PAGE = 1_000;
const SLICE = 100;

function order(i: number, state: number, accountKey = `user${i}`): OrderView {
  return {
    orderId: `o-${String(i).padStart(5, '0')}`,
    assignmentId: `a-${i}`,
    identityId: `i-${i}`,
    entitlementId: 'ent',
    connectionId: 'dir',
    resourceTypeId: 'account',
    fulfillment: 'automatic',
    changeType: 'Added',
    changes: { accountKey, attributes: { mail: `${accountKey}@example.org`, password: 'x' }, group: 'staff' },
    provisioningState: state === ProvisioningState.Verified ? 'Verified' : 'Executed',
    provisioningStateCode: state,
    attempt: 1,
    open: true,
    updatedAt: '2026-12-03T00:00:00.000Z',
  };
}

/** Verified orders mostly; some drift of every kind; two orders on one account in different pages. */
function scenario() {
  const orders = Array.from({ length: ORDERS }, (_, i) =>
    order(i, i % 7 === 0 ? ProvisioningState.Executed : ProvisioningState.Verified),
  );
  orders.push(order(ORDERS, ProvisioningState.Verified, 'user3')); // user3 again, in the last page
  const resources: SynchronizedResources = { accounts: [], memberships: [] };
  for (let i = 0; i < ORDERS; i++) {
    if (i % 101 === 3) continue; // missing account (user3 among them: two owners)
    const mail = i % 97 === 5 ? 'changed@example.org' : `user${i}@example.org`;
    resources.accounts.push({ accountKey: `user${i}`, attributes: { mail } });
    if (i % 89 !== 7) resources.memberships.push({ accountKey: `user${i}`, group: 'staff' });
  }
  for (let i = 0; i < 300; i++) {
    resources.accounts.push({ accountKey: `stranger${i}`, attributes: {} });
    resources.memberships.push({ accountKey: `stranger${i}`, group: 'staff' });
    resources.memberships.push({ accountKey: `user${i}`, group: 'admins' });
  }
  return { orders, resources };
}

/** The read-back held by the test, handed out in slices; remembers the largest one handed out. */
function slicedReadBack(resources: SynchronizedResources) {
  const whole = readBackInMemory(resources);
  const largest = { accounts: 0, memberships: 0 };
  const seen = (part: SynchronizedResources) => {
    largest.accounts = Math.max(largest.accounts, part.accounts.length);
    largest.memberships = Math.max(largest.memberships, part.memberships.length);
    return part;
  };
  const view: ReadBackView = {
    accounts: whole.accounts,
    memberships: whole.memberships,
    resourcesOf: async (keys) => seen(await whole.resourcesOf(keys)),
    async *pages() {
      for (const kind of ['accounts', 'memberships'] as const)
        for (let i = 0; i < resources[kind].length; i += SLICE) {
          const slice = { accounts: [], memberships: [], [kind]: resources[kind].slice(i, i + SLICE) };
          yield seen(slice);
        }
    },
    whileStaged: whole.whileStaged,
  };
  return { view, largest };
}

async function* pagesOf<T>(items: T[]): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += PAGE) yield items.slice(i, i + PAGE);
}

describe('findDriftBySlices', () => {
  it('finds what findDrift finds on the whole read-back, unexpected first, one finding per resource', async () => {
    const { orders, resources } = scenario();
    const verifiedNow = new Set(['o-00010', 'o-00104']); // verified by this read: not compared
    const { view } = slicedReadBack(resources);

    const sliced = await findDriftBySlices(view, pagesOf(orders), verifiedNow);

    const verified = orders
      .filter((o) => o.provisioningStateCode === ProvisioningState.Verified && !verifiedNow.has(o.orderId))
      .map((o) => ({ assignmentId: o.assignmentId, orderId: o.orderId, changes: o.changes as never }));
    const expected = orders.map((o) => o.changes as { accountKey: string; group?: string });
    const whole = findDrift(resources, expected, verified);
    expect(sliced).toEqual(whole);
    expect(whole.filter((f) => f.drift === 'unexpected')).toHaveLength(900);
    const user3 = sliced.find((f) => f.drift === 'missing' && f.accountKey === 'user3');
    expect(user3 && 'owners' in user3 && user3.owners.map((o) => o.assignmentId)).toEqual([
      'a-3',
      `a-${ORDERS}`,
    ]);
    expect(sliced.some((f) => f.drift === 'differing')).toBe(true);
    expect(sliced.some((f) => f.drift === 'missing' && f.kind === 'membership')).toBe(true);
  });

  it('never holds the read-back whole: a page of orders’ accounts, or a slice of the walk, at a time', async () => {
    const { orders, resources } = scenario();
    const { view, largest } = slicedReadBack(resources);

    await findDriftBySlices(view, pagesOf(orders), new Set());

    expect(resources.accounts.length).toBeGreaterThan(2 * PAGE);
    expect(largest.accounts).toBeLessThanOrEqual(PAGE);
    expect(largest.memberships).toBeLessThanOrEqual(PAGE + 300); // a page's accounts' memberships
  });
});
