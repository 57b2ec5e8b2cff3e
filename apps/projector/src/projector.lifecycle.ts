import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { Pool, type PoolClient } from 'pg';
import type { EventStore } from '@prov/event-store';
import { DATABASE_POOL, EVENT_STORE } from '@prov/platform';
import { type LiveProjectorControl, Projector } from '@prov/read-models';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the read-model projector as the single active instance (an advisory lock; a second
 * projector process waits as a standby), restarts it after a failure, and lets an audit replay
 * pause it for the moment of the swap.
 */
@Injectable()
export class ProjectorLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, LiveProjectorControl {
  private readonly logger = new Logger('Projector');
  private projector?: Projector;
  private lockClient?: PoolClient;
  private stopped = false;
  private paused = false;
  private loop?: Promise<void>;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async pause(): Promise<void> {
    this.paused = true;
    await this.projector?.stop();
  }

  resume(): void {
    this.paused = false;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.paused) {
          await sleep(50);
          continue;
        }
        await this.acquireLock();
        if (this.stopped || this.paused) continue;
        this.projector = new Projector(this.pool, this.store, {
          logger: { log: (msg, ctx) => this.logger.log({ msg, ...ctx }), error: (msg, ctx) => this.logger.error({ msg, ...ctx }) },
        });
        await this.projector.start();
        this.logger.log({ msg: 'projector running', checkpoint: await this.projector.checkpoint() });
        await this.projector.done();
      } catch (error) {
        if (this.stopped) return;
        this.logger.error({ msg: 'projector failed; restarting', error: String(error) });
        this.lockClient?.release(true);
        this.lockClient = undefined;
        await sleep(1000);
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
      await sleep(2000);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.projector?.stop();
    await this.loop?.catch(() => undefined);
    this.lockClient?.release();
  }
}
