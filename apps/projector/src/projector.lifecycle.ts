import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import type { EventStore } from '@prov/event-store';
import { DATABASE_POOL, EVENT_STORE } from '@prov/platform';
import { Projector } from '@prov/read-models';

/**
 * Runs the read-model projector as the single active instance (an advisory lock; a second
 * projector process waits as a standby) and restarts it after a failure.
 */
@Injectable()
export class ProjectorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private projector?: Projector;
  private lockClient?: import('pg').PoolClient;
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.acquireLock();
        if (this.stopped) return;
        this.projector = new Projector(this.pool, this.store, {
          logger: { log: (msg, ctx) => this.logger.log({ msg, ...ctx }), error: (msg, ctx) => this.logger.error({ msg, ...ctx }) },
        });
        await this.projector.start();
        this.logger.log({ msg: 'projector running', checkpoint: await this.projector.checkpoint() });
        await this.projector.done();
      } catch (error) {
        if (this.stopped) return;
        this.logger.error({ msg: 'projector failed; restarting', error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private async acquireLock(): Promise<void> {
    while (!this.stopped) {
      this.lockClient ??= await this.pool.connect();
      const { rows } = await this.lockClient.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext('projector:rm')) AS locked",
      );
      if (rows[0].locked) return;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.projector?.stop();
    await this.loop?.catch(() => undefined);
    this.lockClient?.release();
  }
}
