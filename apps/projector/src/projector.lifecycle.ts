import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { Pool, type PoolClient } from 'pg';
import type { EventStore } from '@prov/event-store';
import {
  advisoryLockFree,
  awaitLeadership,
  DATABASE_POOL,
  DEFAULT_STANDBY_POLL_MS,
  EVENT_STORE,
  type HeldLock,
  waitForAdvisoryLock,
} from '@prov/platform';
import {
  inTransaction,
  type LiveProjectorControl,
  Projector,
  ReadModelRebuild,
  StandDownForReplay,
} from '@prov/read-models';
import { decideLiveProjection, REPLAY_LOCK } from './live-projection.decision';

/** How long a replay waits for live batches that hold the replay lock shared to commit. */
const REPLAY_LOCK_WAIT_MS = 5_000;

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
  private replayHere = false;

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

  /** True while this copy leads live projection (holds `projector:rm`). */
  get leading(): boolean {
    return this.lock !== undefined;
  }

  /**
   * Takes the replay lock for a replay on this copy; undefined when another copy runs one. Every
   * other copy's live projector stands down while it is held (ADR 0030).
   */
  async beginReplay(): Promise<HeldLock | undefined> {
    const lock = await waitForAdvisoryLock(this.pool, REPLAY_LOCK, REPLAY_LOCK_WAIT_MS);
    if (lock) this.replayHere = true;
    return lock;
  }

  async endReplay(lock: HeldLock): Promise<void> {
    this.replayHere = false;
    await lock.release();
  }

  /**
   * For the swap's transaction: refuses it when the replay lock is free, i.e. this copy's hold on
   * it broke and another copy may be projecting live again.
   */
  readonly replaySwapGuard = async (client: PoolClient): Promise<void> => {
    if (await advisoryLockFree(client, REPLAY_LOCK))
      throw new Error(
        'the replay lost its lock (its database session ended); live projection resumed elsewhere',
      );
  };

  /** Asks {@link decideLiveProjection}, failing abandoned replays in the same transaction. */
  private async mayLead(): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      // Held shared until COMMIT: no replay can start between the probe and the update.
      const replayLockFree = await advisoryLockFree(client, REPLAY_LOCK);
      const decision = decideLiveProjection({ replayHere: this.replayHere, replayLockFree });
      if (decision.failAbandonedReplays)
        await ReadModelRebuild.failAbandoned(client, 'the copy running it stopped');
      return decision.project;
    });
  }

  /**
   * Probed in each live write's transaction: the same decision, so no batch overlaps a replay's
   * swap (with `replayHere` false, a copy projects exactly when the replay lock is free).
   */
  private readonly standDownLock = (): string | undefined => (this.replayHere ? undefined : REPLAY_LOCK);

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.paused) {
          await sleep(50);
          continue;
        }
        if (!this.lock && !(await this.mayLead())) {
          await sleep(DEFAULT_STANDBY_POLL_MS);
          continue;
        }
        this.lock ??= await awaitLeadership(this.pool, 'projector:rm', () => this.stopped || this.paused, {
          onError: (error) =>
            this.logger.warn({ msg: 'cannot ask for the projector lock', error: String(error) }),
        });
        if (!this.lock || this.stopped || this.paused) continue;
        const projector = new Projector(this.pool, this.store, {
          standDownLock: this.standDownLock,
          logger: {
            log: (msg, ctx) => this.logger.log({ msg, ...ctx }),
            // Standing down for a replay elsewhere is expected: logged once below, not as an error.
            error: (msg, ctx) =>
              String(ctx?.error).startsWith('StandDownForReplay')
                ? undefined
                : this.logger.error({ msg, ...ctx }),
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
        if (error instanceof StandDownForReplay) {
          this.logger.log({ msg: 'live projector stands down: another copy runs an audit replay' });
          await this.dropLock();
          continue;
        }
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
