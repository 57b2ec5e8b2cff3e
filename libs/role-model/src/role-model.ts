import { RuleEvaluationError, type RuleEvaluationDetails } from './errors';
import { durationMs } from './duration';
import { compileRuleExpression, type CompiledExpression, expressionData } from './expressions/expression';
import { DEFAULT_RETRY_POLICY } from './retry';
import { resolveConnectionSecret, type Environment } from './secrets';
import type {
  AttributeValue,
  EntitlementSummary,
  EvaluatedOrder,
  IdentityAttributes,
  RetryPolicy,
  RoleModelConnection,
  RoleModelDefinition,
  RoleModelEntitlement,
  RoleModelResourceType,
  RuleOutcome,
} from './types';
import { connectionSecretsEnvironment } from '@prov/config';

interface CompiledResourceType {
  accountRule: CompiledExpression;
  accountKey: CompiledExpression;
  attributes: Array<[string, CompiledExpression]>;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}

function compile(source: string, where: string): CompiledExpression {
  const compiled = compileRuleExpression(source);
  // parseRoleModel has already reported bad expressions; this only guards hand-built definitions.
  if (!compiled.ok) throw new Error(`role model expression ${where} ${compiled.rule}`);
  return compiled.expression;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' && value !== null
    ? 'an object'
    : `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * The role model in force: what exists (connections, resource types, entitlements) and how an
 * identity × entitlement turns into a provisioning order. Immutable; a changed file is a new
 * RoleModel with a new `version`, which the engine records on the orders it generates.
 */
export class RoleModel {
  /** sha256 of the validated content (see `roleModelHash`). */
  readonly hash: string;
  /** Short form of the hash, for logs, events and the console. */
  readonly version: string;
  /** Where the model came from (the file name), for messages. */
  readonly source: string;
  readonly definition: Readonly<RoleModelDefinition>;
  /** The file's text as read (comments included), when the model was parsed from one: what a version records. */
  readonly text?: string;

  private readonly connectionsById: ReadonlyMap<string, RoleModelConnection>;
  private readonly resourceTypesById: ReadonlyMap<string, RoleModelResourceType>;
  private readonly entitlementsById: ReadonlyMap<string, RoleModelEntitlement>;
  private readonly compiled = new Map<string, CompiledResourceType>();
  private readonly compiledRules: Array<{ id: string; entitlementId: string; when: CompiledExpression }>;

  constructor(definition: RoleModelDefinition, meta: { source: string; hash: string; text?: string }) {
    this.definition = deepFreeze(definition);
    this.text = meta.text;
    this.source = meta.source;
    this.hash = meta.hash;
    this.version = meta.hash.slice(0, 12);
    this.connectionsById = new Map(definition.connections.map((c) => [c.id, c]));
    this.resourceTypesById = new Map(definition.resourceTypes.map((r) => [r.id, r]));
    this.entitlementsById = new Map(definition.entitlements.map((e) => [e.id, e]));
    this.compiledRules = (definition.rules ?? []).map((rule) => ({
      id: rule.id,
      entitlementId: rule.entitlementId,
      when: compile(rule.when, `rules.${rule.id}.when`),
    }));
    for (const rt of definition.resourceTypes) {
      this.compiled.set(rt.id, {
        accountRule: compile(rt.accountRule, `${rt.id}.accountRule`),
        accountKey: compile(rt.accountKey, `${rt.id}.accountKey`),
        attributes: Object.entries(rt.attributes).map(([name, source]) => [
          name,
          compile(source, `${rt.id}.attributes.${name}`),
        ]),
      });
    }
  }

  connections(): readonly RoleModelConnection[] {
    return this.definition.connections;
  }

  connection(id: string): RoleModelConnection | undefined {
    return this.connectionsById.get(id);
  }

  resourceTypes(): readonly RoleModelResourceType[] {
    return this.definition.resourceTypes;
  }

  resourceType(id: string): RoleModelResourceType | undefined {
    return this.resourceTypesById.get(id);
  }

  entitlements(): readonly RoleModelEntitlement[] {
    return this.definition.entitlements;
  }

  entitlement(id: string): RoleModelEntitlement | undefined {
    return this.entitlementsById.get(id);
  }

  /** Entitlements with their connection, fulfillment and effective review flag (GET /api/entitlements). */
  entitlementSummaries(): EntitlementSummary[] {
    return this.definition.entitlements.map((e) => {
      const rt = this.resourceTypesById.get(e.resourceTypeId)!;
      const connection = this.connectionsById.get(rt.connectionId)!;
      return {
        id: e.id,
        name: e.name,
        resourceTypeId: rt.id,
        connectionId: connection.id,
        fulfillment: connection.fulfillment,
        requiresProvisioningReview: e.requiresProvisioningReview || rt.requiresProvisioningReview,
      };
    });
  }

  /**
   * Evaluates the role model for one identity and entitlement. Throws RuleEvaluationError (never
   * anything else) when the order cannot be computed: the engine records that as state 7 Error.
   */
  evaluate(identity: IdentityAttributes, entitlementId: string): EvaluatedOrder {
    const who = String(identity.login ?? identity.id ?? '(identity without login)');
    const entitlement = this.entitlementsById.get(entitlementId);
    if (!entitlement) {
      throw new RuleEvaluationError({
        kind: 'unknown-entitlement',
        entitlementId,
        identity: who,
        reason: 'unknown entitlement',
      });
    }
    const rt = this.resourceTypesById.get(entitlement.resourceTypeId)!;
    const connection = this.connectionsById.get(rt.connectionId)!;
    const rules = this.compiled.get(rt.id)!;
    const base = { entitlementId, resourceTypeId: rt.id, identity: who };
    const data = expressionData(identity);

    const run = (rule: string, expression: CompiledExpression): unknown => {
      const result = expression.evaluateData(data);
      if (result.ok) return result.value;
      const details: RuleEvaluationDetails = {
        ...base,
        kind: 'expression-failed',
        rule,
        expression: expression.source,
        reason: result.reason,
      };
      throw new RuleEvaluationError(details, { cause: result.error });
    };
    const invalid = (rule: string, expression: CompiledExpression, reason: string): never => {
      throw new RuleEvaluationError({
        ...base,
        kind: 'invalid-value',
        rule,
        expression: expression.source,
        reason,
      });
    };

    const hasAccount = run('accountRule', rules.accountRule);
    if (typeof hasAccount !== 'boolean') {
      invalid(
        'accountRule',
        rules.accountRule,
        `must evaluate to true or false, got ${describeValue(hasAccount)}`,
      );
    }
    if (hasAccount === false) {
      throw new RuleEvaluationError({
        ...base,
        kind: 'no-account',
        rule: 'accountRule',
        expression: rules.accountRule.source,
        reason: 'the accountRule is false for this identity',
      });
    }

    const key = run('accountKey', rules.accountKey);
    const accountKey = typeof key === 'number' && Number.isFinite(key) ? String(key) : key;
    if (typeof accountKey !== 'string' || accountKey.trim() === '') {
      invalid('accountKey', rules.accountKey, `must evaluate to a non-empty text, got ${describeValue(key)}`);
    }

    const attributes: Record<string, AttributeValue> = {};
    for (const [name, expression] of rules.attributes) {
      const rule = `attributes.${name}`;
      const value = run(rule, expression);
      const scalar =
        value === null ||
        typeof value === 'string' ||
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isFinite(value));
      if (!scalar)
        invalid(
          rule,
          expression,
          `must evaluate to a text, number, true/false or null, got ${describeValue(value)}`,
        );
      attributes[name] = value as AttributeValue;
    }

    return {
      connectionId: connection.id,
      resourceTypeId: rt.id,
      entitlementId,
      fulfillment: connection.fulfillment,
      requiresReview: rt.requiresProvisioningReview || entitlement.requiresProvisioningReview,
      changes: {
        accountKey: accountKey as string,
        attributes,
        ...(entitlement.group !== undefined ? { group: entitlement.group } : {}),
      },
    };
  }

  /**
   * Which entitlements the birthright rules give this identity. A rule whose expression fails
   * (a missing attribute) or does not give true/false is reported in `failed`, not treated as false:
   * a broken rule must not take access away.
   */
  rulesFor(identity: IdentityAttributes): RuleOutcome {
    const outcome: RuleOutcome = { due: [], failed: [] };
    const data = this.compiledRules.length > 0 ? expressionData(identity) : {};
    for (const rule of this.compiledRules) {
      const result = rule.when.evaluateData(data);
      if (!result.ok) outcome.failed.push({ ruleId: rule.id, reason: result.reason });
      else if (typeof result.value !== 'boolean') {
        outcome.failed.push({
          ruleId: rule.id,
          reason: `when must evaluate to true or false, got ${describeValue(result.value)}`,
        });
      } else if (result.value) outcome.due.push({ ruleId: rule.id, entitlementId: rule.entitlementId });
    }
    return outcome;
  }

  /** The resource type's retry policy; the defaults for a resource type no longer in the model. */
  retryPolicy(resourceTypeId: string): RetryPolicy {
    return { ...(this.resourceTypesById.get(resourceTypeId)?.retryPolicy ?? DEFAULT_RETRY_POLICY) };
  }

  /** Milliseconds an order may stay Transmitted/Executed without verification; null = no limit. */
  transmittedValidityMs(resourceTypeId: string): number | null {
    const period = this.resourceTypesById.get(resourceTypeId)?.transmittedValidityPeriod;
    return period ? durationMs(period) : null;
  }

  /** The secret a connection setting points to (see `resolveConnectionSecret`). */
  resolveSecret(
    connectionId: string,
    settingName: string,
    env: Environment = connectionSecretsEnvironment(),
  ): string {
    const connection = this.connectionsById.get(connectionId);
    if (!connection) throw new Error(`unknown connection '${connectionId}' in role model ${this.source}`);
    return resolveConnectionSecret(connection, settingName, env);
  }
}
