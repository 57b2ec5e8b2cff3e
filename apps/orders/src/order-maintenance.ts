import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { commandMetadata, deterministicUuid, type LoadedStream } from '@prov/command-handling';
import { type AssignmentCommand, type AssignmentState, currentOrder, type IdentityState } from '@prov/domain';
import { DATABASE_POOL, reevaluate, ROLE_MODEL } from '@prov/platform';
import { type LiveAssignment, liveAssignmentsByIdentity } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { AccountOwnership } from './account-ownership';
import { AssignmentCommands } from './assignment-commands';
import { forEachInFlight, runsOf } from './complete-job.in-flight';
import { onSameCurrentOrder } from './decisions/order-generation.decisions';
import { identityAttributes, OrderGenerationReaction } from './order-generation.reaction';

/** Identities whose streams are read and decided at a time (each with up to ASSIGNMENTS_PER_READ assignments). */
const IDENTITIES_IN_FLIGHT = 4;
/** Assignments of one identity read in one go; an identity with more is evaluated in several. */
const ASSIGNMENTS_PER_READ = 25;

interface EvaluationRun {
  jobId: string;
  counts: Record<'evaluated' | 'generated' | 'regenerated' | 'modified' | 'removed' | 'failing', number>;
  errors: string[];
  changed: (assignmentId: string) => void;
}

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
   *
   * The live assignments are scanned by identity (ADR 0048): an identity's assignments are read
   * together with its stream, which is read once for all of them instead of once per assignment,
   * and a few identities are evaluated at a time. Each decision is still taken on the streams,
   * and appended at the revision it was read at.
   */
  async evaluateRoleModel(
    jobId: string,
    changed: (assignmentId: string) => void = () => undefined,
    progress: (assignments: number) => void = () => undefined,
  ) {
    const counts = {
      evaluated: 0,
      generated: 0,
      regenerated: 0,
      modified: 0,
      removed: 0,
      failing: 0,
      assignments: 0,
      assignmentsPerSecond: 0,
    };
    const run: EvaluationRun = { jobId, counts, errors: [], changed };
    const started = performance.now();
    const identities = runsOf(
      liveAssignmentsByIdentity(this.pool),
      (a) => a.identityId,
      ASSIGNMENTS_PER_READ,
    );
    await forEachInFlight(identities, IDENTITIES_IN_FLIGHT, async ({ key, items }) => {
      await this.evaluateIdentity(key, items, run);
      progress((counts.assignments += items.length));
    });
    // The task's rate, in its counts: GET /api/jobs/:id shows it with the task.
    const seconds = (performance.now() - started) / 1000;
    counts.assignmentsPerSecond = seconds > 0 ? Math.round(counts.assignments / seconds) : 0;
    return { counts, errors: run.errors };
  }

  /** An identity's assignments: their streams and the identity's read at once, then decided one by one. */
  private async evaluateIdentity(identityId: string, live: LiveAssignment[], run: EvaluationRun) {
    const [identity, ...loaded] = await Promise.all([
      this.assignments.identity(identityId),
      ...live.map((assignment) => this.assignments.loadStream(assignment.assignmentId)),
    ]);
    for (const [index, { assignmentId }] of live.entries()) {
      const stream = loaded[index];
      const owner =
        !stream.state.exists || stream.state.identityId === identityId
          ? identity
          : await this.assignments.identity(stream.state.identityId);
      await this.evaluateAssignment(assignmentId, stream, owner, run);
    }
  }

  private async evaluateAssignment(
    assignmentId: string,
    loaded: LoadedStream<AssignmentState>,
    identity: IdentityState,
    run: EvaluationRun,
  ): Promise<void> {
    const { counts, errors, changed } = run;
    const model = this.roleModel;
    const state = loaded.state;
    if (!state.exists) return;
    // Ended: the end-date timer removes what is there; evaluating would only make Inactive orders.
    if (state.endsAt && Date.parse(state.endsAt) <= Date.now()) return;
    const order = currentOrder(state);
    if (!order) {
      // Its first order was never made (the reaction is behind, or the start date came).
      if (state.startsAt && Date.parse(state.startsAt) > Date.now()) return;
      if (await this.generation.generateInitialOrder(assignmentId, new Date())) {
        counts.generated++;
        changed(assignmentId);
      }
      return;
    }
    if (order.changeType === 'Deleted') return;
    counts.evaluated++;
    if (!identity.exists) return;
    const now = new Date();
    const base = { assignmentId, now, actor: 'orders' };
    const newOrderId = deterministicUuid('order', assignmentId, model.hash, order.orderId);
    const decision = reevaluate(model, state, identityAttributes(identity));
    if (decision.kind === 'failing' || decision.kind === 'still-failing')
      errors.push(`${assignmentId}: ${decision.error}`);
    if (decision.kind === 'still-failing') counts.failing++;
    if (decision.kind === 'unchanged' || decision.kind === 'still-failing') return;
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
    const metadata = commandMetadata({ actor: 'orders', correlationId: run.jobId }, now);
    const planned = await this.ownership.guard(command, state.identityId, metadata);
    // Decided on the stream as read above: if it moved on since, the expected revision fails
    // and the command reads it again (and drops the order if it is no longer the current one).
    const outcome = await this.assignments.execute(
      assignmentId,
      (latest) => (onSameCurrentOrder(latest, order) ? planned : undefined),
      metadata,
      undefined,
      loaded,
    );
    if (outcome.events.length) {
      counts[kind]++;
      changed(assignmentId);
    }
  }
}
