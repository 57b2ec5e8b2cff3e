import { compileRuleExpression, expressionData, referencedAttributes } from './expressions/expression';
import type { RoleModel } from './role-model';
import type { IdentityAttributes } from './types';

/** One expression as it ran for one identity: its text, the attribute values it read, its outcome. */
export interface ExpressionTrace {
  expression: string;
  /** Each attribute the expression reads, with the identity's value (null when absent). */
  inputs: Record<string, unknown>;
  /** The value it gave; absent when it failed. */
  value?: unknown;
  /** Why it failed (a missing attribute, `fail(...)`, a type mismatch). */
  error?: string;
}

/** How the role model computed one identity's account for one entitlement. */
export interface AccountTrace {
  entitlementId: string;
  resourceTypeId: string;
  connectionId: string;
  accountRule: ExpressionTrace;
  accountKey: ExpressionTrace;
  attributes: Array<ExpressionTrace & { name: string }>;
  group?: string;
}

/** One birthright rule for one identity: does it hold, and on which values. */
export interface RuleTrace extends ExpressionTrace {
  ruleId: string;
  entitlementId: string;
  /** true/false; null when the rule could not be evaluated (it then neither grants nor takes away). */
  holds: boolean | null;
}

/** Runs one expression and records what it read; never throws. */
export function traceExpression(source: string, identity: IdentityAttributes): ExpressionTrace {
  const data = expressionData(identity);
  const inputs: Record<string, unknown> = {};
  for (const name of referencedAttributes(source)) inputs[name] = name in data ? data[name] : null;
  const compiled = compileRuleExpression(source);
  if (!compiled.ok) return { expression: source, inputs, error: compiled.rule };
  const result = compiled.expression.evaluate(identity);
  return result.ok
    ? { expression: source, inputs, value: result.value }
    : { expression: source, inputs, error: result.reason };
}

/**
 * The explanation of `RoleModel.evaluate`: every expression of the entitlement's resource type
 * with its inputs and value. Unlike `evaluate` it does not stop at the first failure, so an
 * explanation shows everything that went into the order (and everything that went wrong).
 * Undefined for an entitlement the model does not have.
 */
export function traceAccount(
  model: RoleModel,
  identity: IdentityAttributes,
  entitlementId: string,
): AccountTrace | undefined {
  const entitlement = model.entitlement(entitlementId);
  const resourceType = entitlement && model.resourceType(entitlement.resourceTypeId);
  if (!entitlement || !resourceType) return undefined;
  return {
    entitlementId,
    resourceTypeId: resourceType.id,
    connectionId: resourceType.connectionId,
    accountRule: traceExpression(resourceType.accountRule, identity),
    accountKey: traceExpression(resourceType.accountKey, identity),
    attributes: Object.entries(resourceType.attributes).map(([name, source]) => ({
      name,
      ...traceExpression(source, identity),
    })),
    ...(entitlement.group !== undefined ? { group: entitlement.group } : {}),
  };
}

/** Every birthright rule (or those giving `entitlementId`) with whether it holds for the identity. */
export function traceRules(
  model: RoleModel,
  identity: IdentityAttributes,
  entitlementId?: string,
): RuleTrace[] {
  return (model.definition.rules ?? [])
    .filter((rule) => entitlementId === undefined || rule.entitlementId === entitlementId)
    .map((rule) => {
      const trace = traceExpression(rule.when, identity);
      const holds = trace.error === undefined && typeof trace.value === 'boolean' ? trace.value : null;
      return { ruleId: rule.id, entitlementId: rule.entitlementId, holds, ...trace };
    });
}
