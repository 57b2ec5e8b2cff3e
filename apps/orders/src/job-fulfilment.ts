import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { commandMetadata, type EventMetadata } from '@prov/command-handling';
import type { TimerSettings } from '@prov/config';
import { ProvisioningState } from '@prov/domain';
import { DATABASE_POOL } from '@prov/platform';
import { LIVE_SCHEMA, ReadModelQueries } from '@prov/read-models';
import { AssignmentCommands } from './assignment-commands';
import { transmitIfPending } from './decisions/order-progress.decisions';
import { OrderDispatcher } from './order-dispatcher';
import { TIMER_SETTINGS } from './timers/timer-settings';

const { Pending } = ProvisioningState;

/** One fulfil task's progress, shared by the steps that dispatch: counts, never a list of orders. */
interface FulfilRun {
  counts: Record<'pending' | 'published' | 'alreadyQueued' | 'transmitted' | 'waitedFor', number>;
  errors: string[];
  metadata: EventMetadata;
}

/**
 * `shownTask`: the job's task (this one) whose start the read models must show before the scan:
 * the projector applies the log in order, so then they show every order appended before it.
 */
export interface FulfilOptions {
  shownTask?: string;
}

/** The ids named in an error message; the count says how many there are in all. */
const NAMED_IN_ERRORS = 10;

const POLL_MS = 250;
const MAX_POLL_MS = 2_000;

/**
 * The complete job's fulfil task: every Pending order goes on its way (automatic ones on the
 * JetStream queue, where the message id drops what is still queued; manual ones to the
 * operators), then the job waits, bounded, until the automatic ones have reported and the read
 * model shows it, so that the synchronization after it can verify what was written.
 *
 * Its memory does not grow with the store (ADR 0056): the orders come from a keyset scan of the
 * read model a page at a time, and what it waits for is counted by one query per poll (the
 * automatic orders still Pending that were generated before the scan began), not kept as a list
 * of every order dispatched. The orders the evaluation just generated are in the scan because the
 * task first waits until the read models show the job's own `fulfil` start, which was appended
 * after them (the projector applies the log in order).
 */
@Injectable()
export class JobFulfilment {
  private readonly queries: ReadModelQueries;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(TIMER_SETTINGS) private readonly settings: TimerSettings,
    private readonly assignments: AssignmentCommands,
    private readonly dispatcher: OrderDispatcher,
  ) {
    this.queries = new ReadModelQueries(pool);
  }

  async fulfil(jobId: string, options: FulfilOptions = {}) {
    const counts = {
      pending: 0,
      published: 0,
      alreadyQueued: 0,
      transmitted: 0,
      waitedFor: 0,
      reported: 0,
      stillPending: 0,
    };
    const errors: string[] = [];
    const metadata = commandMetadata({ actor: 'orders', correlationId: jobId }, new Date());
    const run: FulfilRun = { counts, errors, metadata };
    if (options.shownTask && !(await this.waitUntilShown(jobId, options.shownTask))) {
      errors.push(
        `the read models did not show the evaluation's orders within ${this.settings.fulfilTimeoutMs} ms (COMPLETE_JOB_FULFIL_TIMEOUT_MS): those not shown yet are dispatched by the live path, not waited for`,
      );
    }
    const scanStarted = new Date();
    // Streamed page by page; what is shown Pending but already reported (the read model is
    // behind) is waited for too.
    for await (const order of this.queries.ordersInStates([Pending], {})) {
      if (order.fulfillment === 'automatic') counts.waitedFor++;
      await this.dispatchPending(order.assignmentId, order.orderId, run);
    }
    const left = await this.waitForReports(scanStarted);
    counts.stillPending = left.count;
    counts.reported = Math.max(0, counts.waitedFor - left.count);
    if (left.count > 0) {
      errors.push(
        `${left.count} order(s) did not report within ${this.settings.fulfilTimeoutMs} ms (COMPLETE_JOB_FULFIL_TIMEOUT_MS): ${left.named.join(', ')}${left.count > left.named.length ? ', …' : ''}`,
      );
    }
    return { counts, errors };
  }

  /** Sends a Pending order on its way, as its stream shows it: automatic to the queue, manual to the operators. */
  private async dispatchPending(assignmentId: string, orderId: string, run: FulfilRun): Promise<void> {
    const { counts, errors, metadata } = run;
    const state = await this.assignments.load(assignmentId);
    if (!state.exists) return;
    const order = state.orders[orderId];
    if (!order || !order.open || order.stateCode !== Pending) return;
    counts.pending++;
    try {
      if (order.fulfillment === 'manual') {
        const outcome = await this.assignments.execute(
          assignmentId,
          transmitIfPending(assignmentId, orderId, new Date()),
          metadata,
        );
        if (outcome.events.length > 0) counts.transmitted++;
        return;
      }
      const published = await this.dispatcher.publish(state, order);
      if (published.duplicate) counts.alreadyQueued++;
      else counts.published++;
    } catch (error) {
      errors.push(`${orderId}: ${(error as Error).message}`);
    }
  }

  /** Polls the jobs read model until it shows the task started (or further); false at the timeout. */
  private async waitUntilShown(jobId: string, task: string): Promise<boolean> {
    return this.poll(async () => {
      const tasks = ((await this.queries.job(jobId))?.tasks ?? []) as { name: string; status: string }[];
      return tasks.some((shown) => shown.name === task && shown.status !== 'Pending');
    });
  }

  /**
   * Polls until no automatic order generated before the scan is Pending any more, or the
   * timeout; returns how many still are, and the first few ids. It asks the read model, not the
   * streams: the synchronization that follows verifies the Executed orders the read model lists,
   * so an execution it does not show yet would be missed by the read, and the order later taken
   * for unobserved.
   */
  private async waitForReports(scanStarted: Date): Promise<{ count: number; named: string[] }> {
    let left = { count: 0, named: [] as string[] };
    await this.poll(async () => {
      left = await this.stillPending(scanStarted);
      return left.count === 0;
    });
    return left;
  }

  /** One statement: the open automatic Pending orders generated up to `before`, counted, the first few named. */
  private async stillPending(before: Date): Promise<{ count: number; named: string[] }> {
    const pending = `SELECT order_id FROM ${LIVE_SCHEMA}.orders
      WHERE is_open AND provisioning_state_code = $1 AND fulfillment = 'automatic' AND generated_at <= $2`;
    const { rows } = await this.pool.query<{ n: string; named: string[] | null }>(
      `SELECT (SELECT count(*) FROM (${pending}) p) AS n,
              ARRAY(${pending} ORDER BY order_id LIMIT ${NAMED_IN_ERRORS}) AS named`,
      [Pending, before],
    );
    return { count: Number(rows[0].n), named: rows[0].named ?? [] };
  }

  /** Calls `done` with growing pauses until it answers true or the fulfil timeout passes. */
  private async poll(done: () => Promise<boolean>): Promise<boolean> {
    const deadline = Date.now() + this.settings.fulfilTimeoutMs;
    let pause = POLL_MS;
    for (;;) {
      if (await done()) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(pause, Math.max(0, deadline - Date.now()))),
      );
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
  }
}
