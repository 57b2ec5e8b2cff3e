import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { Pool } from 'pg';
import { commandMetadata } from '@prov/command-handling';
import { type AssignmentCommand, DomainError, ProvisioningState } from '@prov/domain';
import { DATABASE_POOL, ROLE_MODEL } from '@prov/platform';
import { assignmentsDueToStart, openOrdersWithDates, type TimedOrder } from '@prov/read-models';
import { nextRetryDelayMs, type RoleModel } from '@prov/role-model';
import { AssignmentCommands } from '../assignment-commands';
import { OrderDispatcher } from '../order-dispatcher';
import { OrderGenerationReaction } from '../order-generation.reaction';

const { Pending, Transmitted, Errored, AwaitingApproval, Error: RuleError, Executed } = ProvisioningState;

export interface TimerTick {
  deactivated: number;
  expired: number;
  retried: number;
  started: number;
  redispatched: number;
}

/**
 * A Pending automatic order with no report after this long is published again (its dispatch
 * may have been lost with a NATS node, or its dead letter never reported). It must exceed the
 * JetStream duplicate window (2 min), or the repeat would be dropped as a duplicate.
 */
const DISPATCH_TIMEOUT_MS = Number(process.env.DISPATCH_TIMEOUT_MS ?? 300_000);

/**
 * The orders service's timers: end dates, transmitted-validity periods, automatic retries and
 * deferred starts. A timer is not stored anywhere: it is due when the state (folded from the
 * events) and the clock say so, so it survives any restart; when it fires it appends an event,
 * and the domain refuses a second firing because the order has moved on. One replica ticks at
 * a time (advisory lock).
 */
@Injectable()
export class TimersService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Timers');
  private readonly intervalMs = Number(process.env.TIMER_INTERVAL_MS ?? 5000);
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<unknown>;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    private readonly assignments: AssignmentCommands,
    private readonly generation: OrderGenerationReaction,
    private readonly dispatcher: OrderDispatcher,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.ticking ??= this.tickOnce()
        .catch((error) => this.logger.error({ msg: 'timer tick failed', error: String(error) }))
        .finally(() => (this.ticking = undefined));
    }, this.intervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  /** Fires every timer that is due now; returns how many of each fired. */
  async tickOnce(now = new Date()): Promise<TimerTick | undefined> {
    const lock = await this.pool.connect();
    try {
      const { rows } = await lock.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext('orders-timers')) AS locked",
      );
      if (!rows[0].locked) return undefined;
      try {
        return await this.fireDue(now);
      } finally {
        await lock.query("SELECT pg_advisory_unlock(hashtext('orders-timers'))");
      }
    } finally {
      lock.release();
    }
  }

  private async fireDue(now: Date): Promise<TimerTick> {
    const tick: TimerTick = { deactivated: 0, expired: 0, retried: 0, started: 0, redispatched: 0 };
    for (const order of await openOrdersWithDates(this.pool, [
      Pending,
      Errored,
      AwaitingApproval,
      RuleError,
    ])) {
      if (order.endsAt && order.endsAt <= now && order.changeType !== 'Deleted') {
        tick.deactivated += await this.fire(order, { type: 'DeactivateProvisioningOrder' }, now);
      } else if (order.provisioningStateCode === Errored && this.retryDue(order, now)) {
        tick.retried += await this.fire(
          order,
          { type: 'RetryProvisioningOrder', automatic: true, comment: 'retry policy' },
          now,
        );
      } else if (
        order.provisioningStateCode === Pending &&
        order.fulfillment === 'automatic' &&
        order.updatedAt.getTime() + DISPATCH_TIMEOUT_MS <= now.getTime()
      ) {
        tick.redispatched += await this.redispatch(order);
      }
    }
    for (const order of await openOrdersWithDates(this.pool, [Transmitted, Executed])) {
      const validity = order.resourceTypeId
        ? this.roleModel.transmittedValidityMs(order.resourceTypeId)
        : null;
      if (validity !== null && order.updatedAt.getTime() + validity <= now.getTime()) {
        tick.expired += await this.fire(order, { type: 'ExpireTransmittedValidity' }, now);
      }
    }
    for (const assignmentId of await assignmentsDueToStart(this.pool, now)) {
      tick.started += (await this.generation.generateInitialOrder(assignmentId, now)) ? 1 : 0;
    }
    if (Object.values(tick).some((count) => count > 0)) this.logger.log({ msg: 'timers fired', ...tick });
    return tick;
  }

  private async redispatch(order: TimedOrder): Promise<number> {
    const state = await this.assignments.load(order.assignmentId);
    const current = state.exists ? state.orders[order.orderId] : undefined;
    if (!state.exists || current?.stateCode !== Pending || current.attempt !== order.attempt) return 0;
    const published = await this.dispatcher.publish(state, current);
    return published.duplicate ? 0 : 1;
  }

  private retryDue(order: TimedOrder, now: Date): boolean {
    if (!order.resourceTypeId || order.fulfillment !== 'automatic') return false;
    const delay = nextRetryDelayMs(this.roleModel.retryPolicy(order.resourceTypeId), order.attempt);
    return delay !== null && order.updatedAt.getTime() + delay <= now.getTime();
  }

  /** Appends the timer's transition unless the order has moved on meanwhile (then nothing happens). */
  private async fire(
    order: TimedOrder,
    command: { type: AssignmentCommand['type'] } & Record<string, unknown>,
    now: Date,
  ): Promise<number> {
    try {
      const outcome = await this.assignments.execute(
        order.assignmentId,
        (state) => {
          const current = state.exists ? state.orders[order.orderId] : undefined;
          if (
            !current?.open ||
            current.stateCode !== order.provisioningStateCode ||
            current.attempt !== order.attempt
          )
            return undefined;
          return {
            ...command,
            assignmentId: order.assignmentId,
            orderId: order.orderId,
            now,
            actor: 'timer',
          } as AssignmentCommand;
        },
        commandMetadata({ actor: 'timer' }, now),
      );
      return outcome.events.length > 0 ? 1 : 0;
    } catch (error) {
      if (error instanceof DomainError) {
        this.logger.warn({
          msg: 'timer refused by the domain',
          orderId: order.orderId,
          error: error.message,
        });
        return 0;
      }
      throw error;
    }
  }
}
