import { Injectable, Logger } from '@nestjs/common';
import { deterministicUuid, reactionMetadata } from '@prov/command-handling';
import { ProvisioningState } from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import type { Reaction } from '@prov/platform';
import { AssignmentCommands } from './assignment-commands';
import { transmitIfPending } from './decisions/order-progress.decisions';
import { OrderDispatcher } from './order-dispatcher';

/**
 * Sends every order that becomes Pending on its way: automatic connections get it through
 * the JetStream work queue (the message id `<orderId>:<attempt>` makes a repeat harmless),
 * manual connections get it transmitted to operators.
 */
@Injectable()
export class DispatchReaction implements Reaction {
  readonly name = 'orders.dispatch';
  readonly filter = {
    streamNamePrefixes: ['assignment-'],
    eventTypes: ['ProvisioningOrderGenerated', 'ProvisioningOrderApproved', 'ProvisioningOrderRetried'],
  };
  private readonly logger = new Logger('Dispatch');

  constructor(
    private readonly assignments: AssignmentCommands,
    private readonly dispatcher: OrderDispatcher,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    const { assignmentId, orderId } = event.data as { assignmentId: string; orderId: string };
    const state = await this.assignments.load(assignmentId);
    if (!state.exists) return;
    const order = state.orders[orderId];
    if (!order || !order.open || order.stateCode !== ProvisioningState.Pending) return;
    if (order.fulfillment === 'manual') {
      await this.assignments.execute(
        assignmentId,
        transmitIfPending(assignmentId, orderId, new Date()),
        reactionMetadata(event, 'orders', new Date()),
        (index) => deterministicUuid('event', event.id, String(index)),
      );
      return;
    }
    const published = await this.dispatcher.publish(state, order);
    this.logger.log({
      msg: 'order dispatched',
      orderId,
      attempt: order.attempt,
      connectionId: order.connectionId,
      duplicate: published.duplicate,
    });
  }
}
