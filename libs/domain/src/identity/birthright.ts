import type { EntitlementHolder } from './identity.events';
import type { EntitlementHolding } from './identity.state';

/** An entitlement a birthright rule gives the identity. */
export interface DueByRule {
  ruleId: string;
  entitlementId: string;
}

export interface BirthrightChanges {
  /** Rules that hold now but do not hold the entitlement yet. */
  grant: DueByRule[];
  /** Rule holds to release: the rule no longer holds (or no longer exists). */
  release: DueByRule[];
}

const ruleOf = (holder: EntitlementHolder): string | undefined =>
  holder.startsWith('rule:') ? holder.slice('rule:'.length) : undefined;

/**
 * Compares what the rules give the identity now with what rules hold. A rule whose evaluation
 * failed for this identity (`unsettledRuleIds`) neither grants nor releases: a broken expression
 * must not strip access. A deactivated identity is granted nothing.
 */
export function birthrightChanges(
  holdings: Readonly<Record<string, EntitlementHolding>>,
  due: readonly DueByRule[],
  options: { active: boolean; unsettledRuleIds?: readonly string[] },
): BirthrightChanges {
  const unsettled = new Set(options.unsettledRuleIds ?? []);
  const isDue = (ruleId: string, entitlementId: string) =>
    options.active && due.some((d) => d.ruleId === ruleId && d.entitlementId === entitlementId);
  const grant = options.active
    ? due.filter(
        (d) =>
          !(
            Object.hasOwn(holdings, d.entitlementId) &&
            holdings[d.entitlementId].holders.includes(`rule:${d.ruleId}`)
          ),
      )
    : [];
  const release: DueByRule[] = [];
  for (const [entitlementId, holding] of Object.entries(holdings)) {
    for (const holder of holding.holders) {
      const ruleId = ruleOf(holder);
      if (ruleId !== undefined && !unsettled.has(ruleId) && !isDue(ruleId, entitlementId)) {
        release.push({ ruleId, entitlementId });
      }
    }
  }
  return { grant, release };
}
