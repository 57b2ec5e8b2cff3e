import {
  type Assignment,
  birthrightChanges,
  currentOrder,
  jsonEqual,
  type RegisteredIdentity,
} from '@prov/domain';
import { type IdentityAttributes, type RoleModel, RuleEvaluationError } from '@prov/role-model';
import { identityAttributes } from '../identity-attributes';
import { type PlannedOrder, reevaluate, type Reevaluation } from './reevaluation';

/**
 * What-if: the orders a candidate role model would produce against today's identities and
 * assignments, without writing anything. Pure; it runs the engine's own decisions (the complete
 * job's `reevaluate`, the birthright rules' `birthrightChanges`) with the candidate model, and
 * again with the model in force to tell what the candidate causes from what is owed anyway.
 */

/** Why the order would come: a re-evaluation of an assignment, or a birthright rule granting or releasing. */
export type PreviewReason = 'modified' | 'removed' | 'regenerated' | 'failing' | 'granted' | 'released';

export interface PreviewOrder {
  identityId: string;
  entitlementId: string;
  /** Absent for a grant: the assignment would be created. */
  assignmentId?: string;
  reason: PreviewReason;
  /** Absent when the evaluation fails (the order would go to 7 Error with `error`). */
  changeType?: PlannedOrder['changeType'];
  connectionId?: string;
  resourceTypeId?: string;
  changes?: Record<string, unknown>;
  previousChanges?: Record<string, unknown>;
  error?: string;
  /** The model in force asks for the same order: it is owed already, not caused by the candidate. */
  alsoUnderCurrentModel: boolean;
}

type Counts = { added: number; modified: number; deleted: number };

export interface ConnectionPreview {
  connectionId: string;
  accounts: Counts;
  memberships: Counts;
}

export interface RoleModelPreview {
  identities: number;
  assignments: number;
  orders: { added: number; modified: number; deleted: number; failing: number };
  byConnection: ConnectionPreview[];
}

/** One identity with its live assignments (requested, not revoked or declined). */
export interface PreviewSubject {
  identity: RegisteredIdentity;
  assignments: readonly Assignment[];
}

interface Models {
  current: RoleModel;
  candidate: RoleModel;
  now: Date;
}

const sameRulesCache = new WeakMap<RoleModel, Map<string, boolean>>();

/** The rules for this entitlement (it, its resource type, its connection) read the same in both models. */
function sameRules(models: Models, entitlementId: string): boolean {
  const cache = sameRulesCache.get(models.candidate) ?? new Map<string, boolean>();
  sameRulesCache.set(models.candidate, cache);
  const known = cache.get(entitlementId);
  if (known !== undefined) return known;
  const rules = (model: RoleModel) => {
    const entitlement = model.entitlement(entitlementId);
    const resourceType = entitlement && model.resourceType(entitlement.resourceTypeId);
    return JSON.stringify([
      entitlement,
      resourceType,
      resourceType && model.connection(resourceType.connectionId),
    ]);
  };
  const same = rules(models.current) === rules(models.candidate);
  cache.set(entitlementId, same);
  return same;
}

/**
 * Whether the model in force asks for the same as the candidate. Evaluated only when it can
 * differ: identical rules give identical orders, and a model that has the entitlement never removes it.
 */
function alsoUnderCurrentModel(
  models: Models,
  assignment: Assignment,
  attributes: IdentityAttributes,
  decision: Reevaluation,
): boolean {
  if (sameRules(models, assignment.entitlementId)) return true;
  if (decision.kind === 'removed') return !models.current.entitlement(assignment.entitlementId);
  const before = reevaluate(models.current, assignment, attributes);
  if (decision.kind === 'failing') return before.kind === 'failing' && before.error === decision.error;
  return (
    before.kind === decision.kind &&
    'order' in before &&
    jsonEqual(before.order as never, decision.order as never)
  );
}

function reevaluated(
  models: Models,
  subject: PreviewSubject,
  attributes: IdentityAttributes,
  assignment: Assignment,
): PreviewOrder | undefined {
  const decision = reevaluate(models.candidate, assignment, attributes);
  if (decision.kind === 'unchanged' || decision.kind === 'still-failing') return undefined;
  const base = {
    identityId: subject.identity.identityId,
    entitlementId: assignment.entitlementId,
    assignmentId: assignment.assignmentId,
    reason: decision.kind,
    previousChanges: decision.previous.changes,
    alsoUnderCurrentModel: alsoUnderCurrentModel(models, assignment, attributes, decision),
  };
  if (decision.kind === 'failing') return { ...base, error: decision.error };
  const { changeType, connectionId, resourceTypeId, changes } = decision.order;
  return { ...base, changeType, connectionId, resourceTypeId, changes };
}

const sameBirthrightRulesCache = new WeakMap<RoleModel, WeakMap<RoleModel, boolean>>();

/** Both models have the same birthright rules: one evaluation per identity answers for both. */
function sameBirthrightRules(models: Models): boolean {
  const byCurrent = sameBirthrightRulesCache.get(models.candidate) ?? new WeakMap<RoleModel, boolean>();
  sameBirthrightRulesCache.set(models.candidate, byCurrent);
  let same = byCurrent.get(models.current);
  if (same === undefined) {
    same =
      JSON.stringify(models.current.definition.rules ?? []) ===
      JSON.stringify(models.candidate.definition.rules ?? []);
    byCurrent.set(models.current, same);
  }
  return same;
}

/** Birthright rules: a new entitlement gets an assignment (Added), one no holder keeps is revoked (Deleted). */
function birthrights(
  models: Models,
  subject: PreviewSubject,
  attributes: IdentityAttributes,
): PreviewOrder[] {
  const { identity } = subject;
  const changesUnder = (model: RoleModel) => {
    const outcome = model.rulesFor(attributes);
    return birthrightChanges(identity.holdings, outcome.due, {
      active: identity.active,
      unsettledRuleIds: outcome.failed.map((f) => f.ruleId),
    });
  };
  const candidate = changesUnder(models.candidate);
  const current = sameBirthrightRules(models) ? candidate : changesUnder(models.current);
  const orders: PreviewOrder[] = [];
  const granted = new Set<string>();
  for (const grant of candidate.grant) {
    if (Object.hasOwn(identity.holdings, grant.entitlementId) || granted.has(grant.entitlementId)) continue;
    granted.add(grant.entitlementId);
    const alsoUnderCurrentModel = current.grant.some((g) => g.entitlementId === grant.entitlementId);
    const base = {
      identityId: identity.identityId,
      entitlementId: grant.entitlementId,
      reason: 'granted' as const,
      alsoUnderCurrentModel,
    };
    try {
      const evaluated = models.candidate.evaluate(attributes, grant.entitlementId);
      const { connectionId, resourceTypeId } = evaluated;
      orders.push({
        ...base,
        changeType: 'Added',
        connectionId,
        resourceTypeId,
        changes: evaluated.changes as unknown as Record<string, unknown>,
      });
    } catch (error) {
      if (!(error instanceof RuleEvaluationError)) throw error;
      orders.push({ ...base, error: error.message });
    }
  }
  const releasedBy = (changes: typeof candidate, entitlementId: string) =>
    new Set(changes.release.filter((r) => r.entitlementId === entitlementId).map((r) => `rule:${r.ruleId}`));
  for (const entitlementId of new Set(candidate.release.map((r) => r.entitlementId))) {
    const holding = identity.holdings[entitlementId];
    const released = releasedBy(candidate, entitlementId);
    if (holding.holders.some((holder) => !released.has(holder))) continue;
    const assignment = subject.assignments.find((a) => a.assignmentId === holding.assignmentId);
    const order = assignment && currentOrder(assignment);
    if (!assignment || !order?.connectionId || order.changeType === 'Deleted') continue;
    const before = releasedBy(current, entitlementId);
    orders.push({
      identityId: identity.identityId,
      entitlementId,
      assignmentId: assignment.assignmentId,
      reason: 'released',
      changeType: 'Deleted',
      connectionId: order.connectionId,
      resourceTypeId: order.resourceTypeId,
      changes: order.changes,
      previousChanges: order.changes,
      alsoUnderCurrentModel: holding.holders.every((holder) => before.has(holder)),
    });
  }
  return orders;
}

/** The orders the candidate would produce for one identity. */
export function previewSubject(models: Models, subject: PreviewSubject): PreviewOrder[] {
  const orders: PreviewOrder[] = [];
  const attributes = identityAttributes(subject.identity);
  for (const assignment of subject.assignments) {
    // Ended: the end-date timer removes what is there, the job does not evaluate it.
    if (assignment.endsAt && Date.parse(assignment.endsAt) <= models.now.getTime()) continue;
    const order = reevaluated(models, subject, attributes, assignment);
    if (order) orders.push(order);
  }
  const reevaluatedIds = new Set(orders.map((o) => o.assignmentId));
  // An entitlement both removed from the model and no longer given by a rule is one Deleted order.
  return [
    ...orders,
    ...birthrights(models, subject, attributes).filter(
      (o) => !o.assignmentId || !reevaluatedIds.has(o.assignmentId),
    ),
  ];
}

export { accountEffects, addToSummary, emptySummary } from './role-model-preview-summary';
