import type { Assignment, AssignmentEvent, AssignmentState, ProvisioningOrder } from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { foldStreams, type StoredState } from './stream-fold';

export interface FoldedAssignments {
  /**
   * One row per assignment: its state after the last event that changed it, that event, and
   * whether the row was stored before the batch.
   */
  assignments: { state: Assignment; event: RecordedEvent; existed: boolean }[];
  /**
   * One row per order touched: the order as it was the last time an event touched it, its time
   * when first touched in the batch (an order row keeps the time it was first written), and
   * whether its assignment was stored before the batch (an order of a new assignment is new).
   */
  orders: { state: Assignment; order: ProvisioningOrder; generatedAt: string; existed: boolean }[];
  /** The events that were applied (the history rows). */
  history: RecordedEvent[];
}

/** The orders an assignment event touches (their rows are keyed by order id, not by the stream). */
export function touchedOrders(data: unknown): string[] {
  const { orderId, supersededBy } = data as { orderId?: string; supersededBy?: string };
  return [orderId, supersededBy].filter((id): id is string => typeof id === 'string');
}

/**
 * Folds a batch of assignment events onto the stored states (see foldStreams for the rules) and
 * collects the orders each applied event touched.
 */
export function foldAssignments(
  stored: ReadonlyMap<string, StoredState<AssignmentState>>,
  events: readonly RecordedEvent[],
  prefix: string,
  evolve: (state: AssignmentState, event: AssignmentEvent) => AssignmentState,
  initial: () => AssignmentState,
): FoldedAssignments {
  const orders = new Map<string, FoldedAssignments['orders'][number]>();
  const folded = foldStreams(stored, events, prefix, evolve, initial, (id, next, event) => {
    const state = next as Assignment;
    for (const orderId of touchedOrders(event.data)) {
      const order = state.orders[orderId];
      if (order)
        orders.set(orderId, {
          state,
          order,
          generatedAt: orders.get(orderId)?.generatedAt ?? order.updatedAt,
          existed: stored.has(id),
        });
    }
  });
  return {
    assignments: folded.rows.map((row) => ({
      state: row.state as Assignment,
      event: row.event,
      existed: row.existed,
    })),
    orders: [...orders.values()],
    history: folded.applied,
  };
}
