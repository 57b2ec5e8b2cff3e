import { Injectable } from '@nestjs/common';
import type { Assignment, ProvisioningOrder } from '@prov/domain';
import type { JetStreamManager } from 'nats';
import { OrderPublisher, oldestQueuedOrderAt, type OrderEnvelope } from '@prov/messaging';
import { NatsConnectionProvider } from '@prov/platform';

/** What an agent receives for one order: everything it needs, nothing it must look up. */
export function orderEnvelope(assignment: Assignment, order: ProvisioningOrder): OrderEnvelope {
  return {
    orderId: order.orderId,
    attempt: order.attempt,
    connectionId: order.connectionId!,
    assignmentId: assignment.assignmentId,
    identityId: assignment.identityId,
    entitlementId: assignment.entitlementId,
    resourceTypeId: order.resourceTypeId!,
    changeType: order.changeType!,
    changes: order.changes,
    sequence: orderSequence(assignment, order.orderId),
  };
}

/**
 * The order's place among the assignment's orders, in generation order (the fold inserts each
 * order when it is generated and never removes one). The agent does not apply an order older
 * than one it has applied already: that one superseded it (ADR 0065).
 */
function orderSequence(assignment: Assignment, orderId: string): number {
  return Object.keys(assignment.orders).indexOf(orderId);
}

/** Publishes orders of automatic connections on the JetStream work queue. */
@Injectable()
export class OrderDispatcher {
  private publisher?: Promise<OrderPublisher>;
  private manager?: Promise<JetStreamManager>;

  constructor(private readonly nats: NatsConnectionProvider) {}

  async publish(assignment: Assignment, order: ProvisioningOrder): Promise<{ duplicate: boolean }> {
    return (await this.orderPublisher()).publish(order.connectionId!, orderEnvelope(assignment, order));
  }

  /**
   * Sends `order` again although it was sent (and maybe applied) already: the agent applied the
   * older order `stale` after it, which may have undone it (ADR 0065). Once per stale order.
   */
  async reapply(assignment: Assignment, order: ProvisioningOrder, stale: string): Promise<void> {
    const publisher = await this.orderPublisher();
    await publisher.publish(order.connectionId!, orderEnvelope(assignment, order), { after: stale });
  }

  /**
   * When the oldest order still in the connection's work queue was stored; undefined when none
   * is. Orders sent before it have left the queue (ADR 0076).
   */
  async oldestQueuedAt(connectionId: string): Promise<Date | undefined> {
    // No account check per call: the streams were ensured at start.
    this.manager ??= this.nats
      .get()
      .then((nc) => nc.jetstreamManager({ checkAPI: false }))
      .catch((error: unknown) => {
        this.manager = undefined;
        throw error;
      });
    return oldestQueuedOrderAt(await this.manager, connectionId);
  }

  private orderPublisher(): Promise<OrderPublisher> {
    this.publisher ??= this.nats.get().then((nc) => new OrderPublisher(nc.jetstream()));
    return this.publisher;
  }
}
