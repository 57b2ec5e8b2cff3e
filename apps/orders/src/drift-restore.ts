import { deterministicUuid, type EventMetadata } from '@prov/command-handling';
import type { RestorePlan } from '@prov/connectors';
import {
  type AssignmentState,
  currentOrder,
  type GenerateProvisioningOrder,
  ProvisioningState,
} from '@prov/domain';
import type { AssignmentCommands } from './assignment-commands';

/** The id of the order restoring `orderId`: the same drift of the same verified order restores once. */
export function restoreOrderId(assignmentId: string, orderId: string): string {
  return deterministicUuid('order', assignmentId, 'restore', orderId);
}

/**
 * The order that puts an assignment's verified change back, or nothing when the assignment
 * moved on since synchronization read the read model (a newer order, a revocation): then the
 * newer order is what counts. The restore order is a normal order: it re-applies the verified
 * order's whole change, waits for review when that order needed review, and is verified by the
 * next synchronization like any other.
 */
export function restoreCommand(
  state: AssignmentState,
  plan: RestorePlan,
  now: Date,
): GenerateProvisioningOrder | undefined {
  if (!state.exists || state.workflowState !== 'Requested') return undefined;
  const order = currentOrder(state);
  if (order?.orderId !== plan.orderId || order.stateCode !== ProvisioningState.Verified) return undefined;
  if (!order.connectionId || !order.resourceTypeId || !order.fulfillment || order.changeType === 'Deleted')
    return undefined;
  return {
    type: 'GenerateProvisioningOrder',
    assignmentId: state.assignmentId,
    orderId: restoreOrderId(state.assignmentId, order.orderId),
    now,
    actor: 'synchronization',
    changeType: plan.changeType,
    connectionId: order.connectionId,
    resourceTypeId: order.resourceTypeId,
    fulfillment: order.fulfillment,
    changes: order.changes,
    requiresReview: order.requiresReview,
  };
}

export interface RestoreRequested {
  assignmentId: string;
  orderId: string;
  restoreOrderId: string;
  changeType: 'Added' | 'Modified';
}

/** Generates the restore orders of one synchronization (onDrift: restore). */
export class DriftRestore {
  constructor(private readonly assignments: AssignmentCommands) {}

  async generate(
    plans: readonly RestorePlan[],
    context: { now: Date; metadata: EventMetadata },
  ): Promise<RestoreRequested[]> {
    const requested: RestoreRequested[] = [];
    for (const plan of plans) {
      const outcome = await this.assignments.execute(
        plan.assignmentId,
        (state) => restoreCommand(state, plan, context.now),
        context.metadata,
      );
      if (outcome.events.length === 0) continue;
      requested.push({
        assignmentId: plan.assignmentId,
        orderId: plan.orderId,
        restoreOrderId: restoreOrderId(plan.assignmentId, plan.orderId),
        changeType: plan.changeType,
      });
    }
    return requested;
  }
}
