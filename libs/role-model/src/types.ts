/**
 * The role model as the rest of the system sees it once the YAML file has been validated:
 * plain, JSON-serialisable data with every default applied, so that two files that mean the
 * same thing produce the same objects (and the same content hash).
 */

export const CONNECTOR_TYPES = ['ldap', 'ad', 'sql', 'scim', 'manual'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

export const FULFILLMENTS = ['automatic', 'manual'] as const;
/** Who writes an order into the managed system: a connector agent, or a person (operator). */
export type Fulfillment = (typeof FULFILLMENTS)[number];

export const DRIFT_RESPONSES = ['report', 'restore'] as const;
/** What synchronization does about drift on a connection: report it, or also put it back. */
export type DriftResponse = (typeof DRIFT_RESPONSES)[number];

export const BACKOFFS = ['fixed', 'exponential'] as const;
export type Backoff = (typeof BACKOFFS)[number];

export interface RoleModelConnection {
  id: string;
  name: string;
  connector: ConnectorType;
  fulfillment: Fulfillment;
  /**
   * Free-form, interpreted by the connector. Secrets never appear here: a setting whose name ends
   * in `Env` holds the NAME of an environment variable (see `resolveConnectionSecret`).
   */
  settings: Readonly<Record<string, unknown>>;
  /**
   * report (default): drift found by synchronization is listed as non-conforming; restore: an
   * account deleted, or a value or membership changed, by hand also gets an order putting the
   * verified state back. The parser always sets it; absent means report.
   */
  onDrift?: DriftResponse;
  /**
   * May an Added order take over an account that exists in the target and that the engine did
   * not create? false (default): such an order ends 3 Errored. The parser always sets it.
   */
  adoptExisting?: boolean;
}

/** How often, and how far apart, an Errored order of a resource type is retried automatically. */
export interface RetryPolicy {
  /** Attempts in total, the first one included; 1 means "never retry automatically". */
  maxAttempts: number;
  backoff: Backoff;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface RoleModelResourceType {
  id: string;
  name: string;
  connectionId: string;
  /** Expression: does an identity get an account of this type at all? */
  accountRule: string;
  /** Expression: the account's key in the managed system (its login, uid, sAMAccountName...). */
  accountKey: string;
  /** Target attribute name → expression over the identity's attributes (scalar rules). */
  attributes: Readonly<Record<string, string>>;
  requiresProvisioningReview: boolean;
  /** ISO-8601 duration after which Transmitted/Executed orders without verification become Errored; null = never. */
  transmittedValidityPeriod: string | null;
  retryPolicy: RetryPolicy;
  /** The agent makes each new account's password (absent: the connector's own initial password, if any). */
  generatePassword?: GeneratePasswordPolicy;
}

/** A password made by the agent at write time, never stored in an event (ADR 0011). */
export interface GeneratePasswordPolicy {
  /** The target attribute the connector writes it to (AD: `password`). */
  attribute: string;
  length: number;
}

export interface RoleModelEntitlement {
  id: string;
  name: string;
  resourceTypeId: string;
  /** The group or role the entitlement grants in the target (navigation rule); absent = the account only. */
  group?: string;
  requiresProvisioningReview: boolean;
}

/** What the gateway lists under GET /api/entitlements: the entitlement with what it inherits. */
export interface EntitlementSummary {
  id: string;
  name: string;
  resourceTypeId: string;
  connectionId: string;
  fulfillment: Fulfillment;
  /** Effective flag: the entitlement's own OR its resource type's. */
  requiresProvisioningReview: boolean;
}

/** A birthright rule: every identity for which `when` is true gets the entitlement. */
export interface RoleModelRule {
  id: string;
  entitlementId: string;
  /** Expression over the identity's attributes that must evaluate to true or false. */
  when: string;
}

/** What the birthright rules give one identity now. */
export interface RuleOutcome {
  /** The rules that hold, with the entitlement each gives. */
  due: Array<{ ruleId: string; entitlementId: string }>;
  /** Rules that could not be evaluated for this identity; they neither grant nor take away. */
  failed: Array<{ ruleId: string; reason: string }>;
}

/** The validated content of one role model file. */
export interface RoleModelDefinition {
  /** Format version of the file (`version:` key); only 1 exists. */
  formatVersion: 1;
  connections: RoleModelConnection[];
  resourceTypes: RoleModelResourceType[];
  entitlements: RoleModelEntitlement[];
  /** Birthright rules; absent when the file has none (so older files keep their hash). */
  rules?: RoleModelRule[];
}

/**
 * An identity as the rules see it. The well-known attributes are always defined for expressions
 * (null when absent); any other attribute the identity carries is available under its own name.
 */
export interface IdentityAttributes {
  id?: string;
  login: string;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  department?: string | null;
  [attribute: string]: unknown;
}

export type AttributeValue = string | number | boolean | null;

export interface OrderChanges {
  accountKey: string;
  attributes: Record<string, AttributeValue>;
  group?: string;
}

/** The outcome of evaluating the role model for one identity × entitlement. */
export interface EvaluatedOrder {
  connectionId: string;
  resourceTypeId: string;
  entitlementId: string;
  fulfillment: Fulfillment;
  /** The resource type OR the entitlement requires provisioning review. */
  requiresReview: boolean;
  changes: OrderChanges;
}
