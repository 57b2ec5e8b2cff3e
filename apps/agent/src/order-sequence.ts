import { KeyedQueue } from '@prov/connectors';

/**
 * Keeps the orders of one assignment in the order they were generated. Generating an order
 * supersedes the assignment's open ones, so an order older than one this agent has already
 * applied is superseded or done, and applying it would undo the newer one: a mover's Modified
 * that arrives after the revocation's Deleted re-created the account the Deleted had removed.
 * That happens when the two are published out of order (the dispatch reaction and the
 * generation's immediate publish race), or when the older one fails and comes back later.
 *
 * Orders of one assignment are applied one after the other, in the order they reach the agent,
 * and an order whose `sequence` is below the newest applied one is not applied. The record is
 * this process's memory, bounded; after a restart, or with several agents on one connection,
 * only the publication order protects (the dispatch publishes an assignment's orders in turn).
 */
export class OrderSequence {
  /** assignmentId → the newest sequence applied, least recently applied first. */
  private readonly applied = new Map<string, number>();
  private readonly queue = new KeyedQueue();

  constructor(private readonly capacity = 65_536) {}

  /**
   * Runs `apply` after the assignment's earlier orders, unless a newer order of the assignment
   * was applied already: then answers `stale` without running it. An order without a sequence
   * (from an orders service that does not send one) is only kept in turn.
   */
  async run<T>(
    order: { assignmentId?: unknown; sequence?: unknown },
    apply: () => Promise<T>,
  ): Promise<{ stale: true } | { stale: false; result: T }> {
    const assignmentId = typeof order.assignmentId === 'string' ? order.assignmentId : undefined;
    if (assignmentId === undefined) return { stale: false, result: await apply() };
    const sequence = typeof order.sequence === 'number' ? order.sequence : undefined;
    return this.queue.run(assignmentId, async () => {
      const newest = this.applied.get(assignmentId);
      if (sequence !== undefined && newest !== undefined && sequence < newest)
        return { stale: true as const };
      const result = await apply();
      if (sequence !== undefined) this.remember(assignmentId, Math.max(sequence, newest ?? sequence));
      return { stale: false as const, result };
    });
  }

  private remember(assignmentId: string, sequence: number): void {
    this.applied.delete(assignmentId);
    this.applied.set(assignmentId, sequence);
    if (this.applied.size > this.capacity) this.applied.delete(this.applied.keys().next().value as string);
  }
}
