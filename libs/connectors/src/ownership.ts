import type { OrderToApply } from './connector';
import { PermanentConnectorError } from './errors';
import { WRITE_ONLY_ATTRIBUTES } from './observation';

/**
 * The take-over rule, shared by every connector: an Added order never takes over an account
 * that exists in the target and that the engine did not create, unless the connection says
 * `adoptExisting: true`. An account counts as the engine's when
 *
 * - the connector can tell from a mark the target keeps (LDAP: `creatorsName` is the
 *   connection's bind DN; SCIM: `externalId` is the order's identity), or
 * - it already shows every value the order writes (write-only attributes aside): that is what
 *   a redelivered Added order finds after its first delivery created the account, so
 *   redelivery keeps converging; an account made elsewhere with exactly these values is the same
 *   account in all that the engine manages.
 *
 * Modified and Deleted orders are about accounts the engine already manages: the rule is for Added.
 */

export const ACCOUNT_NOT_OURS = 'ACCOUNT_NOT_OURS';

export interface ExistingAccount {
  /** A mark in the target says the engine created it. */
  madeByEngine: boolean;
  /** Names of the order's attributes whose value differs from the account's. */
  differing: readonly string[];
}

/** Why the order must not touch the existing account, or undefined when it may. */
export function takeOverRefusal(
  order: Pick<OrderToApply, 'changeType' | 'connectionId' | 'changes'>,
  existing: ExistingAccount,
  adoptExisting: boolean,
): string | undefined {
  if (order.changeType !== 'Added' || adoptExisting || existing.madeByEngine) return undefined;
  const differing = existing.differing.filter((name) => !WRITE_ONLY_ATTRIBUTES.has(name));
  if (differing.length === 0) return undefined;
  return (
    `account '${order.changes.accountKey}' already exists on connection '${order.connectionId}' and was not created ` +
    `by the engine (${differing.sort().join(', ')} differ from this order's values); the engine does not take over ` +
    `accounts it did not create: remove or rename the account, or set adoptExisting: true on the connection`
  );
}

/** Throws the permanent error (the order ends 3 Errored) when the rule refuses the take-over. */
export function assertMayTakeOver(
  order: Pick<OrderToApply, 'changeType' | 'connectionId' | 'changes'>,
  existing: ExistingAccount,
  adoptExisting: boolean | undefined,
): void {
  const refusal = takeOverRefusal(order, existing, adoptExisting === true);
  if (refusal) throw new PermanentConnectorError(refusal, { code: ACCOUNT_NOT_OURS });
}
