import { findHolding, type IdentityState } from '@prov/domain';

/** What the start-up backfill does for one live assignment (ADR 0012). */
export type HoldingRepair =
  /** Record the request's hold: the assignment predates holdings, so movers and leavers missed it. */
  | { action: 'hold' }
  /** The identity was deactivated while the assignment was not in its holdings: the leaver missed it. */
  | { action: 'revoke' }
  | { action: 'none'; reason: 'held' | 'unknown-identity' | 'duplicate' };

/**
 * Decides, for a live assignment, whether the identity's holdings are missing it. Assignments
 * requested before identities recorded holdings are in none; a second live assignment of the same
 * entitlement (possible before "one assignment per identity and entitlement") cannot be recorded
 * next to the first and is reported instead, for a person to revoke.
 */
export function holdingRepair(
  identity: IdentityState,
  assignment: { assignmentId: string; entitlementId: string },
): HoldingRepair {
  if (!identity.exists) return { action: 'none', reason: 'unknown-identity' };
  const holding = findHolding(identity, assignment.entitlementId);
  if (holding?.assignmentId === assignment.assignmentId) return { action: 'none', reason: 'held' };
  if (!identity.active) return { action: 'revoke' };
  if (holding) return { action: 'none', reason: 'duplicate' };
  return { action: 'hold' };
}
