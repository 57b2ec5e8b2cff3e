import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from 'pg';
import type { CheckpointStore, EventStore } from '@prov/event-store';
import { CHECKPOINT_STORE, DATABASE_POOL, EVENT_STORE, ReactionRunner } from '@prov/platform';
import { IdentityLifecycleReaction } from './identity-lifecycle.reaction';

/** Runs the identity lifecycle reaction with the service (checkpointed, one active instance). */
@Injectable()
export class LifecycleReactions implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: ReactionRunner;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CHECKPOINT_STORE) checkpoints: CheckpointStore,
    @Inject(DATABASE_POOL) pool: Pool,
    lifecycle: IdentityLifecycleReaction,
  ) {
    this.runner = new ReactionRunner(lifecycle, store, checkpoints, pool);
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
