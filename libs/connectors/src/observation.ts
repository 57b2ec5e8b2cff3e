import type {
  OrderToApply,
  SynchronizedAccount,
  SynchronizedMembership,
  SynchronizedResources,
} from './connector';

/**
 * Comparing orders with what synchronization read from a target. Pure functions, shared by every
 * connector: an Executed order becomes Verified when its change is observed, and whatever the
 * target holds that no assignment expects is reported as non-conforming (drift).
 */

interface ResourceIndex {
  accounts: Map<string, SynchronizedAccount>;
  memberships: Set<string>;
}

// Verifying a whole synchronization means one lookup per order against the same resources, so
// the index is built once per resources object and forgotten with it.
const indexes = new WeakMap<SynchronizedResources, ResourceIndex>();

/** Attributes a target accepts but never reads back (an initial password): nothing to compare. */
export const WRITE_ONLY_ATTRIBUTES: ReadonlySet<string> = new Set(['password', 'unicodePwd', 'userPassword']);

function membershipKey(accountKey: string, group: string): string {
  return `${accountKey}\u0000${group}`;
}

function indexOf(resources: SynchronizedResources): ResourceIndex {
  let index = indexes.get(resources);
  if (!index) {
    index = {
      accounts: new Map(resources.accounts.map((a) => [a.accountKey, a])),
      memberships: new Set(resources.memberships.map((m) => membershipKey(m.accountKey, m.group))),
    };
    indexes.set(resources, index);
  }
  return index;
}

/**
 * Values are compared as text: targets store attributes as strings (LDAP, SQL text columns)
 * while the role model may compute numbers or booleans, and `7` in the order is `"7"` in the
 * directory. null, undefined and the empty text all mean "no value".
 */
export function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * True when the target shows the order's change. Added/Modified: the account exists with the
 * order's attribute values and, when the order grants a group, the membership exists. Deleted:
 * the membership is gone (for a group) or the account is gone (for an account-only entitlement).
 */
export function isOrderObserved(
  order: Pick<OrderToApply, 'changeType' | 'changes'>,
  resources: SynchronizedResources,
): boolean {
  const index = indexOf(resources);
  const { accountKey, attributes, group } = order.changes;
  const account = index.accounts.get(accountKey);
  const hasMembership = group !== undefined && index.memberships.has(membershipKey(accountKey, group));
  if (order.changeType === 'Deleted') {
    // A connector set to disable instead of delete leaves the account, disabled: removed all the same.
    return group !== undefined ? !hasMembership : account === undefined || account.disabled === true;
  }
  if (!account) return false;
  for (const [name, expected] of Object.entries(attributes)) {
    if (WRITE_ONLY_ATTRIBUTES.has(name)) continue;
    if (asText(account.attributes[name]) !== asText(expected)) return false;
  }
  return group === undefined || hasMembership;
}

/** What the target holds that nothing expects: accounts, and memberships, found but not assigned. */
export interface NonConformingResources {
  accounts: SynchronizedAccount[];
  memberships: SynchronizedMembership[];
}

/**
 * Lists the accounts and memberships present in the target but absent from `expected` (the
 * accounts and groups that current assignments call for). An expected membership implies its
 * account is expected; an unexpected account's memberships are all unexpected too.
 */
export function findNonConforming(
  resources: SynchronizedResources,
  expected: ReadonlyArray<{ accountKey: string; group?: string }>,
): NonConformingResources {
  const keys = new ExpectedResources();
  for (const item of expected) keys.add(item);
  return keys.nonConforming(resources);
}

/**
 * The keys of what current assignments call for, gathered once and then held against a
 * read-back one page at a time (ADR 0063): only keys are kept, never the orders themselves.
 */
export class ExpectedResources {
  private readonly accounts = new Set<string>();
  private readonly memberships = new Set<string>();

  add(item: { accountKey: string; group?: string }): void {
    this.accounts.add(item.accountKey);
    if (item.group !== undefined) this.memberships.add(membershipKey(item.accountKey, item.group));
  }

  /** What `resources` holds that is not expected (findNonConforming). */
  nonConforming(resources: SynchronizedResources): NonConformingResources {
    return {
      accounts: resources.accounts.filter((a) => !this.accounts.has(a.accountKey)),
      memberships: resources.memberships.filter(
        (m) => !this.memberships.has(membershipKey(m.accountKey, m.group)),
      ),
    };
  }
}
