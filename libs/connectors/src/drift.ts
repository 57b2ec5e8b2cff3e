import type { OrderChangesToApply, SynchronizedResources } from './connector';
import { asText, findNonConforming, type NonConformingResources, WRITE_ONLY_ATTRIBUTES } from './observation';

/**
 * Drift, both ways: what a managed system holds that no assignment expects (unexpected), and
 * what an assignment's verified order wrote that is no longer there (missing) or no longer the
 * same (differing). Pure functions, shared by every connector.
 */

/** An order whose change synchronization saw earlier (4 Verified): what the target must still show. */
export interface VerifiedResource {
  assignmentId: string;
  orderId: string;
  changes: OrderChangesToApply;
}

/** An assignment whose verified order a finding contradicts. */
export interface DriftOwner {
  assignmentId: string;
  orderId: string;
}

export type DriftFinding =
  | { drift: 'unexpected'; kind: 'account'; accountKey: string }
  | { drift: 'unexpected'; kind: 'membership'; accountKey: string; group: string }
  | { drift: 'missing'; kind: 'account'; accountKey: string; owners: DriftOwner[] }
  | { drift: 'missing'; kind: 'membership'; accountKey: string; group: string; owners: DriftOwner[] }
  | { drift: 'differing'; kind: 'attribute'; accountKey: string; attribute: string; owners: DriftOwner[] };

function membershipKey(accountKey: string, group: string): string {
  return `${accountKey}\u0000${group}`;
}

/**
 * Compares the target with what assignments expect.
 *
 * - unexpected: accounts and memberships present that no live assignment calls for
 *   (`expected` lists every live assignment's account and group, in flight or not);
 * - missing: an account, or a membership, that a verified order wrote and the target no longer has;
 * - differing: an attribute of a verified order whose value the target no longer shows.
 *   Write-only attributes (passwords) are never compared. Values compare as text, as in verification.
 *
 * A missing account hides its memberships and attributes (one finding, not one per attribute),
 * and two assignments on one account report each difference once.
 */
export function findDrift(
  resources: SynchronizedResources,
  expected: ReadonlyArray<{ accountKey: string; group?: string }>,
  verified: readonly VerifiedResource[],
): DriftFinding[] {
  return [
    ...unexpectedFindings(findNonConforming(resources, expected)),
    ...findVerifiedDrift(resources, verified),
  ];
}

/** Findings of what the target holds that no assignment expects. */
export function unexpectedFindings(unexpected: NonConformingResources): DriftFinding[] {
  return [
    ...unexpected.accounts.map((a) => ({
      drift: 'unexpected' as const,
      kind: 'account' as const,
      accountKey: a.accountKey,
    })),
    ...unexpected.memberships.map((m) => ({
      drift: 'unexpected' as const,
      kind: 'membership' as const,
      accountKey: m.accountKey,
      group: m.group,
    })),
  ];
}

/** A finding that names the assignments whose verified orders it contradicts. */
export type OwnedDriftFinding = Extract<DriftFinding, { owners: DriftOwner[] }>;

/**
 * The missing and differing half of findDrift. `resources` needs to hold only the verified
 * orders' accounts and those accounts' memberships, so a large read-back can be compared a slice
 * of orders at a time (ADR 0063): one finding per resource within the call.
 */
export function findVerifiedDrift(
  resources: SynchronizedResources,
  verified: readonly VerifiedResource[],
): OwnedDriftFinding[] {
  const accounts = new Map(resources.accounts.map((a) => [a.accountKey, a]));
  const memberships = new Set(resources.memberships.map((m) => membershipKey(m.accountKey, m.group)));
  // One finding per resource; every assignment it concerns is listed as an owner.
  const byResource = new Map<string, OwnedDriftFinding>();
  const report = (key: string, owner: DriftOwner, finding: () => OwnedDriftFinding) => {
    const known = byResource.get(key);
    if (known) known.owners.push(owner);
    else byResource.set(key, finding());
  };
  for (const order of verified) {
    const { accountKey, attributes, group } = order.changes;
    const owner = { assignmentId: order.assignmentId, orderId: order.orderId };
    const account = accounts.get(accountKey);
    if (!account) {
      report(`a\u0000${accountKey}`, owner, () => ({
        drift: 'missing',
        kind: 'account',
        accountKey,
        owners: [owner],
      }));
      continue;
    }
    if (group !== undefined && !memberships.has(membershipKey(accountKey, group))) {
      report(`m\u0000${membershipKey(accountKey, group)}`, owner, () => ({
        drift: 'missing',
        kind: 'membership',
        accountKey,
        group,
        owners: [owner],
      }));
    }
    for (const [attribute, value] of Object.entries(attributes)) {
      if (WRITE_ONLY_ATTRIBUTES.has(attribute)) continue;
      if (asText(account.attributes[attribute]) === asText(value)) continue;
      report(`d\u0000${accountKey}\u0000${attribute}`, owner, () => ({
        drift: 'differing',
        kind: 'attribute',
        accountKey,
        attribute,
        owners: [owner],
      }));
    }
  }
  return [...byResource.values()];
}

/** An order that puts an assignment's verified state back into the target. */
export interface RestorePlan {
  assignmentId: string;
  /** The verified order whose change is restored; the restore order replaces it. */
  orderId: string;
  /** Added when the account is gone (it must be created again), Modified otherwise. */
  changeType: 'Added' | 'Modified';
}

/**
 * What to restore: one order per assignment with drift (missing or differing; unexpected
 * resources belong to no assignment and are only reported). A missing account needs it
 * created again (Added); a missing membership or a differing value needs the account brought
 * back in line (Modified). Both re-apply the assignment's whole verified change.
 */
export function restorePlans(findings: readonly DriftFinding[]): RestorePlan[] {
  const plans = new Map<string, RestorePlan>();
  for (const finding of findings) {
    if (finding.drift === 'unexpected') continue;
    const changeType = finding.drift === 'missing' && finding.kind === 'account' ? 'Added' : 'Modified';
    for (const { assignmentId, orderId } of finding.owners) {
      const known = plans.get(assignmentId);
      if (known && (known.changeType === 'Added' || changeType === 'Modified')) continue;
      plans.set(assignmentId, { assignmentId, orderId, changeType });
    }
  }
  return [...plans.values()];
}
