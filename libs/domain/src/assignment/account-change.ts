import { jsonEqual } from '../json';
import { copyWith } from '../copy-with';
import { ProvisioningState } from '../provisioning-state';
import type { ChangeType } from './assignment.events';
import { type AssignmentState, currentOrder } from './assignment.state';

/** The account an order describes: the shape of `changes` the role model computes. */
export interface AccountChanges {
  accountKey: string;
  /** On a Modified order that renames the account: the key it had until now. */
  previousAccountKey?: string;
  attributes: Record<string, unknown>;
  group?: string;
}

/** What a Modified (or replacing Added) order must carry for the account to match the role model. */
export interface PlannedAccountChange {
  changeType: Extract<ChangeType, 'Added' | 'Modified'>;
  changes: AccountChanges;
}

/**
 * States in which an order's change is, or is on its way to be, in the managed system. An order
 * that never left review (5), was declined (0), errored (3), failed evaluation (7) or ended (6)
 * does not count: what it wanted is compared again, and sent again when still wanted.
 */
const APPLIED = new Set<number>([
  ProvisioningState.Pending,
  ProvisioningState.Transmitted,
  ProvisioningState.Verified,
  ProvisioningState.Executed,
]);

function asAccount(changes: Record<string, unknown>): AccountChanges | undefined {
  const { accountKey, attributes, group } = changes;
  if (typeof accountKey !== 'string' || typeof attributes !== 'object' || attributes === null)
    return undefined;
  return {
    accountKey,
    attributes: attributes as Record<string, unknown>,
    ...(typeof group === 'string' ? { group } : {}),
  };
}

/** The account as the assignment's applied orders left it, in order of generation. */
export function appliedAccount(assignment: AssignmentState): AccountChanges | undefined {
  if (!assignment.exists) return undefined;
  let account: AccountChanges | undefined;
  for (const order of Object.values(assignment.orders)) {
    if (!APPLIED.has(order.stateCode)) continue;
    const changes = asAccount(order.changes);
    if (!changes) continue;
    if (order.changeType === 'Added') account = changes;
    else if (order.changeType === 'Modified' && account) {
      account = copyWith(account, {
        accountKey: changes.accountKey,
        attributes: { ...account.attributes, ...changes.attributes },
      });
    } else if (order.changeType === 'Deleted') account = undefined;
  }
  return account;
}

/**
 * The mover's decision for one assignment: given what the role model now computes for the
 * identity, which order (if any) brings the account in line. Nothing for an assignment that is
 * revoked, declined, ended or has no account yet; a Modified order with only the attributes that
 * changed (and the previous key when the account key changed) once an account was written; a new
 * Added order when the account was never written but the pending one is out of date.
 */
export function plannedAccountChange(
  assignment: AssignmentState,
  computed: AccountChanges,
): PlannedAccountChange | undefined {
  if (!assignment.exists || assignment.workflowState !== 'Requested') return undefined;
  const current = currentOrder(assignment);
  if (!current?.changeType || current.changeType === 'Deleted') return undefined;
  if (current.stateCode === ProvisioningState.Inactive) return undefined;
  const applied = appliedAccount(assignment);
  if (!applied) {
    return jsonEqual(current.changes, computed) ? undefined : { changeType: 'Added', changes: computed };
  }
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(computed.attributes)) {
    if (!jsonEqual(applied.attributes[name], value)) attributes[name] = value;
  }
  const renamed = applied.accountKey !== computed.accountKey;
  if (!renamed && Object.keys(attributes).length === 0) return undefined;
  return {
    changeType: 'Modified',
    changes: {
      accountKey: computed.accountKey,
      ...(renamed ? { previousAccountKey: applied.accountKey } : {}),
      attributes,
      ...(computed.group !== undefined ? { group: computed.group } : {}),
    },
  };
}
