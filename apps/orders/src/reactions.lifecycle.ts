import { Inject, Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import type { CheckpointStore, EventStore } from '@prov/event-store';
import { CHECKPOINT_STORE, DATABASE_POOL, EVENT_STORE, ReactionRunner } from '@prov/platform';
import { DeferredCheckpoints } from './deferred-checkpoints';
import { DispatchReaction } from './dispatch.reaction';
import { MoverReaction } from './mover.reaction';
import { OrderGenerationReaction } from './order-generation.reaction';

/** Starts the service's reactions with the application and stops them before it closes. */
@Injectable()
export class ReactionsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runners: ReactionRunner[];
  private readonly checkpoints: DeferredCheckpoints;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CHECKPOINT_STORE) checkpoints: CheckpointStore,
    @Inject(DATABASE_POOL) pool: Pool,
    generation: OrderGenerationReaction,
    dispatch: DispatchReaction,
    mover: MoverReaction,
  ) {
    // One checkpoint write per reaction and interval instead of one per event (ADR 0044).
    this.checkpoints = new DeferredCheckpoints(checkpoints);
    this.runners = [generation, dispatch, mover].map(
      (reaction) => new ReactionRunner(reaction, store, this.checkpoints, pool),
    );
  }

  onApplicationBootstrap(): void {
    for (const runner of this.runners) runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
    await this.checkpoints.close();
  }
}
