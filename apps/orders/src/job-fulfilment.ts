import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { commandMetadata, type EventMetadata } from '@prov/command-handling';
import type { TimerSettings } from '@prov/config';
import { ProvisioningState } from '@prov/domain';
import { DATABASE_POOL } from '@prov/platform';
import { ReadModelQueries } from '@prov/read-models';
import { AssignmentCommands } from './assignment-commands';
import { transmitIfPending } from './decisions/order-progress.decisions';
import { OrderDispatcher } from './order-dispatcher';
import { TIMER_SETTINGS } from './timers/timer-settings';

const { Pending } = ProvisioningState;

/** An order the job sent on its way and waits for. */
export interface DispatchedOrder {
  assignmentId: string;
  orderId: string;
}

/** One fulfil task's progress, shared by the steps that dispatch. */
interface FulfilRun {
  counts: Record<'pending' | 'published' | 'alreadyQueued' | 'transmitted', number>;
  errors: string[];
  waiting: Map<string, DispatchedOrder>;
  metadata: EventMetadata;
  /** Assignments whose Pending orders were dispatched already in this run. */
  dispatched: Set<string>;
}

const POLL_MS = 250;
const MAX_POLL_MS = 2_000;

/**
 * The complete job's fulfil task: every Pending order goes on its way (automatic ones on the
 * JetStream queue, where the message id drops what is still queued; manual ones to the
 * operators), then the job waits, bounded, until each automatic order has reported and the read
 * model shows it, so that the synchronization after it can verify what was written.
 */
@Injectable()
export class JobFulfilment {
  private readonly queries: ReadModelQueries;

  constructor(
    @Inject(DATABASE_POOL) pool: Pool,
    @Inject(TIMER_SETTINGS) private readonly settings: TimerSettings,
    private readonly assignments: AssignmentCommands,
    private readonly dispatcher: OrderDispatcher,
  ) {
    this.queries = new ReadModelQueries(pool);
  }

  /** `alsoWaitFor`: orders the job itself just generated, which the read model may not show yet. */
  async fulfil(jobId: string, alsoWaitFor: readonly string[] = []) {
    const counts = {
      pending: 0,
      published: 0,
      alreadyQueued: 0,
      transmitted: 0,
      reported: 0,
      stillPending: 0,
    };
    const errors: string[] = [];
    const waiting = new Map<string, DispatchedOrder>();
    const metadata = commandMetadata({ actor: 'orders', correlationId: jobId }, new Date());
    const run: FulfilRun = { counts, errors, waiting, metadata, dispatched: new Set() };
    // Streamed page by page; what is shown Pending but already reported (the read model is
    // behind) is waited for too.
    for await (const order of this.queries.ordersInStates([Pending], {})) {
      if (order.fulfillment === 'automatic')
        waiting.set(order.orderId, { assignmentId: order.assignmentId, orderId: order.orderId });
      await this.dispatchPending(order.assignmentId, run);
    }
    for (const assignmentId of alsoWaitFor) await this.dispatchPending(assignmentId, run);
    const left = await this.waitForReports(waiting);
    counts.reported = waiting.size - left.length;
    counts.stillPending = left.length;
    if (left.length > 0) {
      errors.push(
        `${left.length} order(s) did not report within ${this.settings.fulfilTimeoutMs} ms (COMPLETE_JOB_FULFIL_TIMEOUT_MS): ${left
          .slice(0, 10)
          .map((o) => o.orderId)
          .join(', ')}${left.length > 10 ? ', …' : ''}`,
      );
    }
    return { counts, errors };
  }

  /** Sends the assignment's Pending orders on their way: automatic ones to the queue, manual ones to the operators. */
  private async dispatchPending(assignmentId: string, run: FulfilRun): Promise<void> {
    const { counts, errors, waiting, metadata } = run;
    if (run.dispatched.has(assignmentId)) return;
    run.dispatched.add(assignmentId);
    const state = await this.assignments.load(assignmentId);
    if (!state.exists) return;
    for (const order of Object.values(state.orders)) {
      if (!order.open || order.stateCode !== Pending) continue;
      counts.pending++;
      try {
        if (order.fulfillment === 'manual') {
          const outcome = await this.assignments.execute(
            assignmentId,
            transmitIfPending(assignmentId, order.orderId, new Date()),
            metadata,
          );
          if (outcome.events.length > 0) counts.transmitted++;
          continue;
        }
        const published = await this.dispatcher.publish(state, order);
        if (published.duplicate) counts.alreadyQueued++;
        else counts.published++;
        waiting.set(order.orderId, { assignmentId, orderId: order.orderId });
      } catch (error) {
        errors.push(`${order.orderId}: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Polls until none of the orders is Pending any more, or the timeout; returns those still
   * Pending. It asks the read model, not the streams: the synchronization that follows verifies
   * the Executed orders the read model lists, so an execution it does not show yet would be
   * missed by the read, and the order later taken for unobserved.
   */
  private async waitForReports(orders: Map<string, DispatchedOrder>): Promise<DispatchedOrder[]> {
    let remaining = [...orders.values()];
    const deadline = Date.now() + this.settings.fulfilTimeoutMs;
    let pause = POLL_MS;
    while (remaining.length > 0) {
      const still: DispatchedOrder[] = [];
      for (const order of remaining) {
        const view = await this.queries.order(order.orderId);
        if (!view || (view.open && view.provisioningStateCode === Pending)) still.push(order);
      }
      remaining = still;
      if (remaining.length === 0 || Date.now() >= deadline) break;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(pause, Math.max(0, deadline - Date.now()))),
      );
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
    return remaining;
  }
}
