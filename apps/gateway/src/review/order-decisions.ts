import { Injectable, NotFoundException } from '@nestjs/common';
import { CommandClient } from '@prov/messaging';
import { ReadModelQueries } from '@prov/read-models';
import type { Caller } from '../auth/api-token.guard';

/** Finds the assignment an order belongs to and sends a person's decision to the review service. */
@Injectable()
export class OrderDecisions {
  constructor(
    private readonly commands: CommandClient,
    private readonly queries: ReadModelQueries,
  ) {}

  async send(orderId: string, command: string, caller: Caller, fields: Record<string, unknown>) {
    const order = await this.queries.order(orderId);
    if (!order)
      throw new NotFoundException({
        code: 'OrderNotFound',
        message: `provisioning order ${orderId} does not exist`,
      });
    return this.commands.send('review', command, {
      ...fields,
      assignmentId: order.assignmentId,
      orderId,
      actor: caller.actor,
    });
  }
}
