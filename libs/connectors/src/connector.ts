/**
 * The contract between the engine's agent and a managed system. A connector writes provisioning
 * orders into the system and reads the system back for synchronization; everything specific to
 * LDAP, SQL, SCIM... stays behind this interface.
 *
 * Orders are delivered at least once (JetStream redelivers when an agent dies before its ack),
 * so `apply` must be idempotent: applying the same order twice leaves the target as applying it
 * once does, and succeeds both times. An `Added` account that already exists converges; a
 * `Deleted` one that is already gone is fine.
 */

import type { ChangeType } from '@prov/domain';

// The order's change type is the domain's: a connector applies what the order says.
export type { ChangeType };

export interface OrderChangesToApply {
  /** The account's key in the target (login, uid, sAMAccountName...). */
  accountKey: string;
  /**
   * Modified only: the key the account had until now, when the order renames it (the identity's
   * login changed). The connector finds the account under this key and renames it where the
   * target can; an account already under `accountKey` means the rename was done.
   */
  previousAccountKey?: string;
  /** Attribute values the account must have (for Deleted: informative, the current values). */
  attributes: Record<string, unknown>;
  /** The group or role the entitlement grants; absent when the entitlement is the account itself. */
  group?: string;
}

/** One provisioning order as an agent hands it to a connector. */
export interface OrderToApply {
  orderId: string;
  /** 1 for the first delivery of the order, incremented by every retry. */
  attempt: number;
  changeType: ChangeType;
  connectionId: string;
  resourceTypeId: string;
  identityId: string;
  entitlementId: string;
  changes: OrderChangesToApply;
}

/** What an apply did that the agent must know beyond success. */
export interface ApplyOutcome {
  /**
   * True when the connector set the account's password from the order (a new account, or one
   * whose creation was interrupted before it got one). A generated password is handed to the
   * person only then: an existing account keeps the password its owner knows.
   */
  passwordSet?: boolean;
  /** The entry written, as the target names it (an LDAP DN, a SCIM resource URL...), for the audit trail. */
  target?: string;
}

export interface SynchronizedAccount {
  accountKey: string;
  attributes: Record<string, unknown>;
  disabled?: boolean;
}

export interface SynchronizedMembership {
  accountKey: string;
  group: string;
}

/** Everything a connector sees in its target: what synchronization compares with the orders. */
export interface SynchronizedResources {
  accounts: SynchronizedAccount[];
  memberships: SynchronizedMembership[];
}

export interface ConnectionTestResult {
  ok: boolean;
  /** What worked, or the target's own error message (never a secret). */
  message: string;
}

/** What a connector may tell its caller while it applies an order. */
export interface ApplyProgress {
  /**
   * What is left of the order is its share of one write made for several orders (a group's
   * members added in one modify, ADR 0077): it waits for that write and puts no load of its own
   * on the target, so the caller may start the next order meanwhile.
   */
  sharingWrite(): void;
}

export interface Connector {
  /**
   * Writes one order, idempotently. Rejects with a ConnectorError: `transient` when trying again
   * later may succeed (target down, timeout, lock conflict), `permanent` when it cannot succeed
   * until someone changes the data or the configuration.
   */
  apply(order: OrderToApply, progress?: ApplyProgress): Promise<ApplyOutcome | void>;
  /** Reads every account and membership this connector manages (synchronization). */
  readAll(): Promise<SynchronizedResources>;
  /** Checks that the target can be reached with the configured credentials; never rejects. */
  test(): Promise<ConnectionTestResult>;
  /** Releases connections; the connector cannot be used afterwards. */
  close(): Promise<void>;
}
