import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { Pool } from 'pg';
import type { EventStore } from '@prov/event-store';
import { awaitLeadership, DATABASE_POOL, EVENT_STORE, type HeldLock } from '@prov/platform';
import { type LiveProjectorControl, Projector } from '@prov/read-models';

/**
 * Runs the read-model projector as the single active instance (an advisory lock; a second
 * projector process waits as a standby), restarts it after a failure, and lets an audit replay
 * pause it for the moment of the swap.
 */
@Injectable()
export class ProjectorLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, LiveProjectorControl
{
  private readonly logger = new Logger('Projector');
  private projector?: Projector;
  private lock?: HeldLock;
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
        this.lock ??= await awaitLeadership(this.pool, 'projector:rm', () => this.stopped || this.paused, {
          onError: (error) =>
            this.logger.warn({ msg: 'cannot ask for the projector lock', error: String(error) }),
        });
        if (!this.lock || this.stopped || this.paused) continue;
        const projector = new Projector(this.pool, this.store, {
          logger: {
            log: (msg, ctx) => this.logger.log({ msg, ...ctx }),
            error: (msg, ctx) => this.logger.error({ msg, ...ctx }),
          },
        });
        this.projector = projector;
        await projector.start();
        // Another copy may lead as soon as the lock's connection broke: stop projecting at once.
        void this.lock.lost.then(() => projector.stop());
        this.logger.log({ msg: 'projector running', checkpoint: await projector.checkpoint() });
        await projector.done();
        if (!this.paused) await this.dropLock();
      } catch (error) {
        if (this.stopped) return;
        this.logger.error({ msg: 'projector failed; restarting', error: String(error) });
        await this.dropLock();
        await sleep(1000);
      }
    }
  }

  private async dropLock(): Promise<void> {
    await this.lock?.release();
    this.lock = undefined;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.projector?.stop();
    await this.loop?.catch(() => undefined);
    await this.dropLock();
  }
}
