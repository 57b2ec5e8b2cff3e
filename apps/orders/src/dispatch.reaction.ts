import { Injectable, Logger } from '@nestjs/common';
import { type CommandOutcome, deterministicUuid, reactionMetadata } from '@prov/command-handling';
import {
  type Assignment,
  type AssignmentEvent,
  type AssignmentState,
  assignmentStreamName,
  findOrder,
  type ProvisioningOrder,
  ProvisioningState,
} from '@prov/domain';
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
  /**
   * `<stream>@<revision>` of the events whose orders sendNow is publishing or published, oldest
   * first (bounded): true once the publish is acknowledged, false if it failed. Registered before
   * the publish, not after its acknowledgement: the event is in the log as soon as the append
   * commits and this reaction often reached it while the acknowledgement was on its way, then
   * read the assignment and published the order a second time (~0.4 per order in the burst).
   */
  private readonly sending = new Map<string, Promise<boolean>>();

  constructor(
    private readonly assignments: AssignmentCommands,
    private readonly dispatcher: OrderDispatcher,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    // Published when it was appended, from the state the append proved: nothing left to do.
    const key = `${event.streamName}@${event.revision}`;
    const sending = this.sending.get(key);
    if (sending) {
      this.sending.delete(key);
      if (await sending) return;
    }
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
    await this.publish(state, order);
  }

  /**
   * Publishes at once the orders an append of this process has just made Pending (automatic
   * connections only), from the state that append was accepted on, instead of waiting for this
   * reaction to reach their events and read the assignment again (issue 11, ADR 0044). It is no
   * staler than that read: nothing can have been appended between. When the event comes by, the
   * reaction skips it; if this process dies first, or the publish fails, the reaction does the
   * work as before (the message id `<orderId>:<attempt>` drops a repeat).
   */
  async sendNow(
    assignmentId: string,
    outcome: CommandOutcome<AssignmentState, AssignmentEvent>,
  ): Promise<void> {
    const { state, events, nextExpectedRevision } = outcome;
    if (!state.exists || nextExpectedRevision === undefined) return;
    const first = nextExpectedRevision - BigInt(events.length) + 1n;
    for (const [index, event] of events.entries()) {
      if (!this.filter.eventTypes.includes(event.type)) continue;
      const order = findOrder(state, (event.data as { orderId: string }).orderId);
      if (!order?.open || order.stateCode !== ProvisioningState.Pending || order.fulfillment === 'manual')
        continue;
      const key = `${assignmentStreamName(assignmentId)}@${first + BigInt(index)}`;
      const published = this.publish(state, order).then(
        () => true,
        (error: unknown) => {
          this.logger.warn({
            msg: 'order not sent at once; the reaction will',
            orderId: order.orderId,
            error: String(error),
          });
          return false;
        },
      );
      this.sending.set(key, published);
      // Another instance may lead this reaction: then the events never come by here.
      if (this.sending.size > SENT_CAPACITY) this.sending.delete(this.sending.keys().next().value as string);
      await published;
    }
  }

  private async publish(state: Assignment, order: ProvisioningOrder): Promise<void> {
    const published = await this.dispatcher.publish(state, order);
    this.logger.log({
      msg: 'order dispatched',
      orderId: order.orderId,
      attempt: order.attempt,
      connectionId: order.connectionId,
      duplicate: published.duplicate,
    });
  }
}

const SENT_CAPACITY = 4096;
