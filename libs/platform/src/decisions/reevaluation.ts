import {
  type Assignment,
  currentOrder,
  jsonEqual,
  ProvisioningState,
  type ProvisioningOrder,
} from '@prov/domain';
import { type IdentityAttributes, type RoleModel, RuleEvaluationError } from '@prov/role-model';
import { mayHaveBeenWritten } from './written-states';

/** The order fields a re-evaluation asks for (the `GenerateProvisioningOrder` command without ids and time). */
export interface PlannedOrder {
  changeType: 'Added' | 'Modified' | 'Deleted';
  connectionId: string;
  resourceTypeId: string;
  fulfillment: 'automatic' | 'manual';
  changes: Record<string, unknown>;
  requiresReview: boolean;
}

/**
 * What the role model asks of one assignment's current order:
 * - `regenerated`: the order in 7 Error evaluates again, under its own id;
 * - `modified`: the computed account differs, a new order (Modified if it may have been written);
 * - `removed`: the entitlement left the model, a Deleted order for what the old one wrote;
 * - `failing`: a rule now throws, the order goes to 7 Error.
 */
export type Reevaluation =
  | { kind: 'regenerated' | 'modified' | 'removed'; order: PlannedOrder; previous: ProvisioningOrder }
  | { kind: 'failing'; error: string; previous: ProvisioningOrder };

/** Why nothing is asked: `unchanged`, or the order already failed (`still-failing`) with this error. */
export type NoReevaluation = { kind: 'unchanged' } | { kind: 'still-failing'; error: string };

/**
 * The complete job's decision for one live assignment (pure: the model, the folded assignment
 * and the identity's attributes in, the order to ask for out). The orders service executes it;
 * the gateway's what-if preview runs it with a candidate model and writes nothing.
 * Callers skip assignments without a current order, with a Deleted one, or already ended.
 */
export function reevaluate(
  model: RoleModel,
  assignment: Assignment,
  identity: IdentityAttributes,
): Reevaluation | NoReevaluation {
  const order = currentOrder(assignment);
  if (!order || order.changeType === 'Deleted') return { kind: 'unchanged' };
  if (!model.entitlement(assignment.entitlementId)) {
    if (!order.connectionId || !order.resourceTypeId || !order.fulfillment) return { kind: 'unchanged' };
    return {
      kind: 'removed',
      previous: order,
      order: {
        changeType: 'Deleted',
        connectionId: order.connectionId,
        resourceTypeId: order.resourceTypeId,
        fulfillment: order.fulfillment,
        changes: order.changes,
        requiresReview: false,
      },
    };
  }
  try {
    const evaluated = model.evaluate(identity, assignment.entitlementId);
    const fields = {
      connectionId: evaluated.connectionId,
      resourceTypeId: evaluated.resourceTypeId,
      fulfillment: evaluated.fulfillment,
      changes: evaluated.changes as unknown as Record<string, unknown>,
      requiresReview: evaluated.requiresReview,
    };
    if (order.stateCode === ProvisioningState.Error)
      return { kind: 'regenerated', previous: order, order: { ...fields, changeType: 'Added' } };
    if (
      !jsonEqual(fields.changes as never, order.changes as never) ||
      fields.connectionId !== order.connectionId
    ) {
      const changeType = mayHaveBeenWritten(order.stateCode) ? 'Modified' : 'Added';
      return { kind: 'modified', previous: order, order: { ...fields, changeType } };
    }
    return { kind: 'unchanged' };
  } catch (error) {
    if (!(error instanceof RuleEvaluationError)) throw error;
    if (order.stateCode === ProvisioningState.Error) return { kind: 'still-failing', error: error.message };
    return { kind: 'failing', previous: order, error: error.message };
  }
}
