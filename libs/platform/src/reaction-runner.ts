import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { handleWhen, retry } from 'cockatiel';
import type { Pool } from 'pg';
import { DomainError } from '@prov/domain';
import {
  type CheckpointStore,
  type EventFilter,
  type EventStore,
  type RecordedEvent,
  runPartitionedCatchUpSubscription,
  type RunningCatchUpSubscription,
} from '@prov/event-store';
import { steadyBackoff } from '@prov/messaging';
import { awaitLeadership, type HeldLock } from './leadership';
import { continueFromEvent } from './tracing/event-tracing';

// 0.5 s, 1 s, 2 s ... 30 s between the tries of one event.
const RETRY_BACKOFF = steadyBackoff(500, 30_000);

export interface Reaction {
  /** Names the checkpoint and the single-instance lock: keep it stable. */
  name: string;
  filter: EventFilter;
  handle(event: RecordedEvent): Promise<void>;
  /**
   * Events handled at once, those of one stream always in order (default REACTION_CONCURRENCY).
   * 1 for a reaction whose events of different streams must not overlap.
   */
  concurrency?: number;
}

/**
 * Each event costs a reaction a few round trips (read the stream, append, publish); one at a
 * time, they bound the whole engine's rate (issue 11). Events of different streams are
 * independent, since every handler reads the current state of what it changes.
 */
export const REACTION_CONCURRENCY = 16;

/**
 * Runs a reaction as a checkpointed catch-up subscription on the event store, so a service that
 * was down catches up on restart. One instance per reaction is active at a time (a PostgreSQL
 * advisory lock; the others wait as standbys). A domain error means the world moved on (the
 * order was approved meanwhile, ...) and is logged and passed; any other error is retried with
 * backoff on the same event, never skipped.
 */
export class ReactionRunner {
  private readonly logger: Logger;
  private subscription?: RunningCatchUpSubscription;
  private lock?: HeldLock;
  private stopped = false;
  private loop?: Promise<void>;
  caughtUpPosition?: string;

  constructor(
    private readonly reaction: Reaction,
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly pool: Pool,
  ) {
    this.logger = new Logger(`Reaction:${reaction.name}`);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.loop?.catch(() => undefined);
    await this.lock?.release();
    this.lock = undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        this.lock = await awaitLeadership(this.pool, `reaction:${this.reaction.name}`, () => this.stopped, {
          onError: (error) =>
            this.logger.warn({ msg: 'cannot ask for the reaction lock', error: String(error) }),
        });
        if (!this.lock) return;
        const subscription = runPartitionedCatchUpSubscription({
          concurrency: this.reaction.concurrency ?? REACTION_CONCURRENCY,
          store: this.store,
          checkpoints: this.checkpoints,
          subscriptionId: this.reaction.name,
          filter: this.reaction.filter,
          handle: (event) => this.handleWithRetry(event),
        });
        this.subscription = subscription;
        // Without the lock another copy may lead already: stop reacting at once.
        void this.lock.lost.then(() => {
          this.logger.warn({ msg: 'lost the reaction lock; standing by' });
          return subscription.close();
        });
        await subscription.done;
        await this.lock.release();
        this.lock = undefined;
      } catch (error) {
        if (this.stopped) return;
        this.logger.error({ msg: 'reaction stopped; restarting', error: String(error) });
        await this.lock?.release();
        this.lock = undefined;
        await sleep(1000);
      }
    }
  }

  private async handleWithRetry(event: RecordedEvent): Promise<void> {
    // A failure is tried again until it passes or the runner stops; a domain refusal is not.
    const policy = retry(
      handleWhen((error) => !(error instanceof DomainError) && !(error instanceof StoppedError)),
      { backoff: RETRY_BACKOFF },
    );
    policy.onRetry(({ attempt, delay, ...failure }) =>
      this.logger.error({
        msg: 'reaction failed; retrying',
        event: describe(event),
        attempt,
        delayMs: delay,
        error: String('error' in failure ? failure.error : failure.value),
      }),
    );
    try {
      await policy.execute(() => {
        // Stopped before the event was handled: it must not be checkpointed as if it had been.
        if (this.stopped) throw new StoppedError(event);
        // The trace of the change this event records goes on in what the reaction does.
        return continueFromEvent(this.reaction.name, event, () => this.reaction.handle(event));
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn({
        msg: 'reaction refused by the domain; moving on',
        event: describe(event),
        error: error.message,
      });
    }
  }
}

class StoppedError extends Error {
  constructor(event: RecordedEvent) {
    super(`stopped before ${event.type} at ${event.streamName} was handled`);
  }
}

function describe(event: RecordedEvent) {
  return { type: event.type, stream: event.streamName, revision: event.revision.toString() };
}
