import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { commandMetadata, deterministicUuid } from '@prov/command-handling';
import { type AssignmentCommand, currentOrder } from '@prov/domain';
import { DATABASE_POOL, reevaluate, ROLE_MODEL } from '@prov/platform';
import { liveAssignmentIds } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { AccountOwnership } from './account-ownership';
import { AssignmentCommands } from './assignment-commands';
import { onSameCurrentOrder } from './decisions/order-generation.decisions';
import { identityAttributes, OrderGenerationReaction } from './order-generation.reaction';

/** The complete job's evaluation of the role model for every live assignment. */
@Injectable()
export class OrderMaintenance {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly assignments: AssignmentCommands,
    private readonly generation: OrderGenerationReaction,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    private readonly ownership: AccountOwnership,
  ) {}

  /**
   * Evaluates the role model in force for every live assignment and brings its orders in line:
   * an order in 7 Error is evaluated again (→ 1 or 5), an order whose computed changes differ
   * from what the model now says is superseded by a `Modified` order, an entitlement the model
   * no longer has gets a `Deleted` order, and a rule that now throws gives 7 Error.
   */
  async evaluateRoleModel(jobId: string, changed: (assignmentId: string) => void = () => undefined) {
    const counts = { evaluated: 0, generated: 0, regenerated: 0, modified: 0, removed: 0, failing: 0 };
    const errors: string[] = [];
    const model = this.roleModel;
    for await (const assignmentId of liveAssignmentIds(this.pool)) {
      const state = await this.assignments.load(assignmentId);
      if (!state.exists) continue;
      // Ended: the end-date timer removes what is there; evaluating would only make Inactive orders.
      if (state.endsAt && Date.parse(state.endsAt) <= Date.now()) continue;
      const order = currentOrder(state);
      if (!order) {
        // Its first order was never made (the reaction is behind, or the start date came).
        if (state.startsAt && Date.parse(state.startsAt) > Date.now()) continue;
        if (await this.generation.generateInitialOrder(assignmentId, new Date())) {
          counts.generated++;
          changed(assignmentId);
        }
        continue;
      }
      if (order.changeType === 'Deleted') continue;
      counts.evaluated++;
      const identity = await this.assignments.identity(state.identityId);
      if (!identity.exists) continue;
      const now = new Date();
      const base = { assignmentId, now, actor: 'orders' };
      const newOrderId = deterministicUuid('order', assignmentId, model.hash, order.orderId);
      const decision = reevaluate(model, state, identityAttributes(identity));
      if (decision.kind === 'failing' || decision.kind === 'still-failing')
        errors.push(`${assignmentId}: ${decision.error}`);
      if (decision.kind === 'still-failing') counts.failing++;
      if (decision.kind === 'unchanged' || decision.kind === 'still-failing') continue;
      const kind = decision.kind;
      const command: AssignmentCommand =
        decision.kind === 'failing'
          ? { ...base, type: 'RecordRoleModelEvaluationFailure', orderId: newOrderId, error: decision.error }
          : {
              ...base,
              ...decision.order,
              type: 'GenerateProvisioningOrder',
              // A failed order is evaluated again under its own id.
              orderId: decision.kind === 'regenerated' ? order.orderId : newOrderId,
            };
      const metadata = commandMetadata({ actor: 'orders', correlationId: jobId }, now);
      const planned = await this.ownership.guard(command, state.identityId, metadata);
      const outcome = await this.assignments.execute(
        assignmentId,
        (latest) => (onSameCurrentOrder(latest, order) ? planned : undefined),
        metadata,
      );
      if (outcome.events.length) {
        counts[kind]++;
        changed(assignmentId);
      }
    }
    return { counts, errors };
  }
}
