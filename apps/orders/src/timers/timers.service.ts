import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { Pool } from 'pg';
import { commandMetadata, deterministicUuid } from '@prov/command-handling';
import type { TimerSettings } from '@prov/config';
import { type AssignmentCommand, assignmentEnding, DomainError, ProvisioningState } from '@prov/domain';
import { DATABASE_POOL, ROLE_MODEL, withAdvisoryLock } from '@prov/platform';
import {
  assignmentsDueToStart,
  endedAssignments,
  lastSynchronizations,
  openOrdersWithDates,
  type TimedOrder,
  type TimedOrdersScan,
} from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { AssignmentCommands } from '../assignment-commands';
import { endAssignmentCommand, redispatchable, timerCommand } from '../decisions/order-progress.decisions';
import { OrderDispatcher } from '../order-dispatcher';
import { OrderGenerationReaction } from '../order-generation.reaction';
import { LostDispatches } from './lost-dispatches';
import {
  executedChangeBound,
  lastChangeBound,
  retryAttemptsBound,
  retryDue,
  shortestRetryDelayMs,
  validityExpired,
} from './timer-rules';
import { TIMER_SETTINGS } from './timer-settings';

const { Transmitted, Errored, Executed } = ProvisioningState;

export interface TimerTick {
  ended: number;
  expired: number;
  retried: number;
  started: number;
  redispatched: number;
}

/**
 * The orders service's timers: end dates, transmitted-validity periods, automatic retries,
 * deferred starts and lost dispatches. A timer is not stored anywhere: it is due when the state
 * (folded from the events) and the clock say so (timer-rules.ts, the domain's assignmentEnding),
 * so it survives any restart; when it fires it appends an event, and the domain refuses a second
 * firing because the order has moved on. One replica ticks at a time (advisory lock).
 */
@Injectable()
export class TimersService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Timers');
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<unknown>;
  private readonly lostDispatches: LostDispatches;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    @Inject(TIMER_SETTINGS) private readonly settings: TimerSettings,
    private readonly assignments: AssignmentCommands,
    private readonly generation: OrderGenerationReaction,
    private readonly dispatcher: OrderDispatcher,
  ) {
    this.lostDispatches = new LostDispatches(pool, (id) => dispatcher.oldestQueuedAt(id), this.logger);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.ticking ??= this.tickOnce()
        .catch((error) => this.logger.error({ msg: 'timer tick failed', error: String(error) }))
        .finally(() => (this.ticking = undefined));
    }, this.settings.intervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  /** Fires every timer that is due now; returns how many of each fired (undefined: another replica ticks). */
  async tickOnce(now = new Date()): Promise<TimerTick | undefined> {
    return withAdvisoryLock(this.pool, 'orders-timers', () => this.fireDue(now));
  }

  private async fireDue(now: Date): Promise<TimerTick> {
    const tick: TimerTick = { ended: 0, expired: 0, retried: 0, started: 0, redispatched: 0 };
    tick.ended = await this.endAssignments(now);
    const policies = this.resourceTypeSettings((id) => this.roleModel.retryPolicy(id));
    const retries = this.changedBefore([Errored], {
      changedBefore: lastChangeBound(policies.map(shortestRetryDelayMs), now),
      fulfillment: 'automatic',
      attemptBelow: retryAttemptsBound(policies),
    });
    for await (const order of retries) {
      if (order.resourceTypeId && retryDue(order, this.roleModel.retryPolicy(order.resourceTypeId), now)) {
        tick.retried += await this.fire(
          order,
          { type: 'RetryProvisioningOrder', automatic: true, comment: 'retry policy' },
          now,
        );
      }
    }
    const automatic = this.roleModel
      .connections()
      .filter((connection) => connection.fulfillment === 'automatic')
      .map((connection) => connection.id);
    for await (const order of this.lostDispatches.due(now, this.settings.dispatchTimeoutMs, automatic))
      tick.redispatched += await this.redispatch(order);
    tick.expired = await this.expireValidity(now);
    for await (const assignmentId of assignmentsDueToStart(this.pool, now)) {
      tick.started += (await this.generation.generateInitialOrder(assignmentId, now)) ? 1 : 0;
    }
    if (Object.values(tick).some((count) => count > 0)) this.logger.log({ msg: 'timers fired', ...tick });
    return tick;
  }

  /**
   * Orders waiting for an operator or for verification past their resource type's
   * transmitted-validity period become 3 Errored (timer-rules.ts says when). Also run by the
   * complete job's verify task, right after its synchronization.
   */
  async expireValidity(now: Date): Promise<number> {
    let expired = 0;
    const synchronized = await lastSynchronizations(this.pool);
    const validities = this.resourceTypeSettings((id) => this.roleModel.transmittedValidityMs(id));
    const bound = lastChangeBound(validities, now);
    const expire = async (order: TimedOrder) => {
      if (!order.resourceTypeId) return 0;
      const validity = this.roleModel.transmittedValidityMs(order.resourceTypeId);
      const lastRead = order.connectionId ? synchronized.get(order.connectionId) : undefined;
      if (!validityExpired(order, validity, lastRead, now)) return 0;
      return this.fire(order, { type: 'ExpireTransmittedValidity' }, now);
    };
    for await (const order of this.changedBefore([Transmitted], { changedBefore: bound }))
      expired += await expire(order);
    // Executed orders wait for their connection's next read-back: those after the last one are
    // not read at every tick, however many there are.
    for (const [connectionId, lastRead] of synchronized) {
      const changedBefore = executedChangeBound(bound, lastRead);
      for await (const order of this.changedBefore([Executed], { changedBefore, connectionId }))
        expired += await expire(order);
    }
    return expired;
  }

  /** A setting for each resource type of the model, and for one no longer in it (the defaults). */
  private resourceTypeSettings<T>(setting: (resourceTypeId: string) => T): T[] {
    return [...this.roleModel.resourceTypes().map((type) => setting(type.id)), setting('')];
  }

  /**
   * Open orders in these states last changed before `scan.changedBefore`; none when no timer
   * applies (undefined). Manual orders wait for people, not for retries or redispatches.
   */
  private async *changedBefore(codes: number[], scan: TimedOrdersScan): AsyncGenerator<TimedOrder> {
    if (scan.changedBefore) yield* openOrdersWithDates(this.pool, codes, scan);
  }

  /**
   * Ends the assignments whose end date passed: the domain deactivates what was not fulfilled and
   * removes what was (a `Deleted` order, dispatched and verified like any other). The removal's
   * id is derived from the assignment, so two ticks, or two replicas, agree on it.
   */
  private async endAssignments(now: Date): Promise<number> {
    let ended = 0;
    for (const candidate of await endedAssignments(this.pool, now)) {
      if (!assignmentEnding(candidate, now)) continue;
      const { assignmentId } = candidate;
      const orderId = deterministicUuid('order', assignmentId, 'end');
      try {
        const outcome = await this.assignments.execute(
          assignmentId,
          (state) => endAssignmentCommand(state, assignmentId, orderId, now),
          commandMetadata({ actor: 'timer' }, now),
          (index) => deterministicUuid('event', orderId, String(index)),
        );
        if (outcome.events.length > 0) ended++;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        this.logger.warn({ msg: 'end date refused by the domain', assignmentId, error: error.message });
      }
    }
    return ended;
  }

  private async redispatch(order: TimedOrder): Promise<number> {
    const state = await this.assignments.load(order.assignmentId);
    const current = redispatchable(state, order);
    if (!state.exists || !current) return 0;
    const published = await this.dispatcher.publish(state, current);
    return published.duplicate ? 0 : 1;
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
        (state) => timerCommand(state, order, command, now),
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
