import type { Assignment, AssignmentEvent, AssignmentState, ProvisioningOrder } from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { streamId } from './projection';

export interface FoldedAssignments {
  /** One row per assignment: its state after the last event that changed it, and that event. */
  assignments: { state: Assignment; event: RecordedEvent }[];
  /**
   * One row per order touched: the order as it was the last time an event touched it, and its
   * time when first touched in the batch (an order row keeps the time it was first written).
   */
  orders: { state: Assignment; order: ProvisioningOrder; generatedAt: string }[];
  /** The events that were applied (the history rows). */
  history: RecordedEvent[];
}

function touchedOrders(event: AssignmentEvent): string[] {
  const data = event.data as { orderId?: string; supersededBy?: string };
  return [data.orderId, data.supersededBy].filter((id): id is string => typeof id === 'string');
}

/**
 * Folds a batch of assignment events onto the stored states, with exactly the rules of applying
 * them one at a time: an event at or below the stored revision was applied already, an event
 * that leaves the assignment non-existent writes nothing, and the last write of a row wins.
 */
export function foldAssignments(
  stored: ReadonlyMap<string, { state: AssignmentState; revision: bigint }>,
  events: readonly RecordedEvent[],
  prefix: string,
  evolve: (state: AssignmentState, event: AssignmentEvent) => AssignmentState,
  initial: () => AssignmentState,
): FoldedAssignments {
  const current = new Map<string, { state: AssignmentState; revision: bigint }>(stored);
  const assignments = new Map<string, { state: Assignment; event: RecordedEvent }>();
  const orders = new Map<string, { state: Assignment; order: ProvisioningOrder; generatedAt: string }>();
  const history: RecordedEvent[] = [];
  for (const event of events) {
    const id = streamId(event.streamName, prefix);
    const before = current.get(id);
    if (before && before.revision >= event.revision) continue;
    const domainEvent = { type: event.type, data: event.data } as AssignmentEvent;
    const next = evolve(before?.state ?? initial(), domainEvent);
    if (!next.exists) continue;
    current.set(id, { state: next, revision: event.revision });
    assignments.set(id, { state: next, event });
    for (const orderId of touchedOrders(domainEvent)) {
      const order = next.orders[orderId];
      if (order) orders.set(orderId, { state: next, order, generatedAt: orders.get(orderId)?.generatedAt ?? order.updatedAt });
    }
    history.push(event);
  }
  return { assignments: [...assignments.values()], orders: [...orders.values()], history };
}
