/**
 * The three ways the role model says no: the file is wrong (at load), a rule fails for one
 * identity (at evaluation, which the engine records as provisioning state 7 Error), or a secret
 * the configuration points to is missing from the environment.
 */

/** One problem in a role model file: where it is and which rule it breaks. */
export interface RoleModelIssue {
  file: string;
  /** Path inside the document, e.g. `resourceTypes[1].attributes.displayName`; '' for the whole file. */
  path: string;
  rule: string;
  /** 1-based line of the offending node when known, to jump to it in an editor. */
  line?: number;
}

function formatIssue(issue: RoleModelIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
  return issue.path ? `  ${where}  ${issue.path}: ${issue.rule}` : `  ${where}  ${issue.rule}`;
}

/**
 * Thrown by `parseRoleModel`/`loadRoleModel` with every problem found, not just the first: an
 * administrator fixing a file should not need one start-up per typo.
 */
export class RoleModelValidationError extends Error {
  override readonly name = 'RoleModelValidationError';

  constructor(
    readonly file: string,
    readonly issues: readonly RoleModelIssue[],
  ) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`role model ${file} is invalid (${count}):\n${issues.map(formatIssue).join('\n')}`);
  }
}

/**
 * Why an evaluation failed. `expression-failed`: an expression threw or returned an error;
 * `invalid-value`: it returned something an order cannot carry; `no-account`: the accountRule
 * excludes the identity; `unknown-entitlement`: the entitlement is not (or no longer) in the model.
 */
export type RuleEvaluationFailure =
  'expression-failed' | 'invalid-value' | 'no-account' | 'unknown-entitlement';

export interface RuleEvaluationDetails {
  kind: RuleEvaluationFailure;
  entitlementId: string;
  resourceTypeId?: string;
  /** Which rule: `accountRule`, `accountKey` or `attributes.<name>`. */
  rule?: string;
  expression?: string;
  /** The identity's login (or id when it has none). */
  identity: string;
  /** The underlying cause, in words (the expression's own error message, or what was wrong with its value). */
  reason: string;
}

/**
 * A rule could not be evaluated for one identity. The engine turns it into state 7 Error with
 * this message, so the message names everything an administrator needs to fix the role model.
 */
export class RuleEvaluationError extends Error {
  override readonly name = 'RuleEvaluationError';
  readonly kind: RuleEvaluationFailure;
  readonly entitlementId: string;
  readonly resourceTypeId?: string;
  readonly rule?: string;
  readonly expression?: string;
  readonly identity: string;
  readonly reason: string;

  constructor(details: RuleEvaluationDetails, options?: { cause?: unknown }) {
    super(RuleEvaluationError.describe(details), options);
    this.kind = details.kind;
    this.entitlementId = details.entitlementId;
    this.resourceTypeId = details.resourceTypeId;
    this.rule = details.rule;
    this.expression = details.expression;
    this.identity = details.identity;
    this.reason = details.reason;
  }

  private static describe(d: RuleEvaluationDetails): string {
    switch (d.kind) {
      case 'no-account':
        return `identity ${d.identity} gets no account of resource type ${d.resourceTypeId} (accountRule: ${d.expression})`;
      case 'unknown-entitlement':
        return `entitlement '${d.entitlementId}' is not in the role model (identity ${d.identity})`;
      default:
        return (
          `rule ${d.rule} of resource type '${d.resourceTypeId}' (entitlement '${d.entitlementId}') ` +
          `failed for identity ${d.identity}: ${d.reason}`
        );
    }
  }
}

/** A connection setting names an environment variable that is not set. Never carries a value. */
export class MissingSecretError extends Error {
  override readonly name = 'MissingSecretError';

  constructor(
    readonly connectionId: string,
    readonly settingName: string,
    readonly envVar: string | undefined,
    detail?: string,
  ) {
    super(
      detail ??
        `connection '${connectionId}': environment variable ${envVar} (settings.${settingName}) is not set or empty`,
    );
  }
}
