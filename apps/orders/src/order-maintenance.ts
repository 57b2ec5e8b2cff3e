import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { commandMetadata } from '@prov/command-handling';
import { ProvisioningState } from '@prov/domain';
import { DATABASE_POOL, ROLE_MODEL } from '@prov/platform';
import { ReadModelQueries } from '@prov/read-models';
import { type RoleModel, RuleEvaluationError } from '@prov/role-model';
import { AssignmentCommands } from './assignment-commands';
import { OrderDispatcher } from './order-dispatcher';
import { identityAttributes } from './order-generation.reaction';

/** The job's order housekeeping: re-evaluate orders in 7 Error, send Pending orders again. */
@Injectable()
export class OrderMaintenance {
  private readonly queries: ReadModelQueries;

  constructor(
    private readonly assignments: AssignmentCommands,
    private readonly dispatcher: OrderDispatcher,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    @Inject(DATABASE_POOL) pool: Pool,
  ) {
    this.queries = new ReadModelQueries(pool);
  }

  /** 7 Error → 1 or 5 when the rules now evaluate (a fixed role model, corrected identity data). */
  async reevaluateFailedOrders(jobId: string) {
    const counts = { evaluated: 0, regenerated: 0, stillFailing: 0 };
    const errors: string[] = [];
    for (const order of await this.queries.ordersInStates([ProvisioningState.Error])) {
      counts.evaluated++;
      const identity = await this.assignments.identity(order.identityId);
      if (!identity.exists) continue;
      try {
        const evaluated = this.roleModel.evaluate(identityAttributes(identity), order.entitlementId);
        const outcome = await this.assignments.execute(
          order.assignmentId,
          (state) => {
            const current = state.exists ? state.orders[order.orderId] : undefined;
            if (current?.stateCode !== ProvisioningState.Error) return undefined;
            return {
              type: 'GenerateProvisioningOrder',
              assignmentId: order.assignmentId,
              orderId: order.orderId,
              now: new Date(),
              actor: 'orders',
              changeType: 'Added',
              connectionId: evaluated.connectionId,
              resourceTypeId: evaluated.resourceTypeId,
              fulfillment: evaluated.fulfillment,
              changes: evaluated.changes as unknown as Record<string, unknown>,
              requiresReview: evaluated.requiresReview,
            };
          },
          commandMetadata({ actor: 'orders', correlationId: jobId }, new Date()),
        );
        if (outcome.events.length) counts.regenerated++;
      } catch (error) {
        if (!(error instanceof RuleEvaluationError)) throw error;
        counts.stillFailing++;
        errors.push(`${order.orderId}: ${error.message}`);
      }
    }
    return { counts, errors };
  }

  /** Publishes Pending automatic orders again; JetStream's dedup drops what is still queued. */
  async redispatchPendingOrders(_jobId: string) {
    const counts = { pending: 0, published: 0, alreadyQueued: 0 };
    const errors: string[] = [];
    for (const order of await this.queries.ordersInStates([ProvisioningState.Pending])) {
      if (order.fulfillment !== 'automatic') continue;
      counts.pending++;
      const state = await this.assignments.load(order.assignmentId);
      const current = state.exists ? state.orders[order.orderId] : undefined;
      if (!state.exists || current?.stateCode !== ProvisioningState.Pending) continue;
      try {
        const published = await this.dispatcher.publish(state, current);
        if (published.duplicate) counts.alreadyQueued++;
        else counts.published++;
      } catch (error) {
        errors.push(`${order.orderId}: ${(error as Error).message}`);
      }
    }
    return { counts, errors };
  }
}
