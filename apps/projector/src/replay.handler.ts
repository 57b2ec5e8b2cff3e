import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DomainError } from '@prov/domain';
import type { EventStore } from '@prov/event-store';
import { commandSubject } from '@prov/messaging';
import { CommandCallerDto } from '@prov/contracts';
import { DATABASE_POOL, EVENT_STORE } from '@prov/platform';
import { ReadModelRebuild } from '@prov/read-models';
import { ProjectorLifecycle } from './projector.lifecycle';

export class ReplayAlreadyRunningError extends DomainError {
  override readonly name = 'ReplayAlreadyRunningError';
  constructor(readonly replayId?: string) {
    super(
      'REPLAY_ALREADY_RUNNING',
      replayId
        ? `an audit replay is already running (replay ${replayId})`
        : 'an audit replay is already running on another copy',
    );
  }
}

/** Audit replay: rebuild every read model from the event log while the system keeps running. */
@Controller()
export class ReplayHandler {
  private readonly logger = new Logger('Replay');
  /** The replay this copy runs, if any; `done` settles when it has ended and let go of its lock. */
  running?: { replayId: string; done: Promise<void> };

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly live: ProjectorLifecycle,
  ) {}

  @MessagePattern(commandSubject('projector', 'replay'))
  async start(@Payload() dto: CommandCallerDto): Promise<{ replayId: string }> {
    if (this.running) throw new ReplayAlreadyRunningError(this.running.replayId);
    // The command lands on any copy: the one that takes the replay lock runs it, and every
    // other copy's live projector stands down until the lock is let go (ADR 0030).
    const lock = await this.live.beginReplay();
    if (!lock) throw new ReplayAlreadyRunningError();
    const replayId = randomUUID();
    this.logger.log({ msg: 'audit replay started', replayId, by: dto.actor });
    const done = new ReadModelRebuild(this.pool, this.store, this.live)
      .run(replayId, { lost: lock.lost, swapGuard: this.live.replaySwapGuard })
      .then(() => this.logger.log({ msg: 'audit replay completed', replayId }))
      .catch((error) => this.logger.error({ msg: 'audit replay failed', replayId, error: String(error) }))
      .finally(async () => {
        await this.live.endReplay(lock).catch(() => undefined);
        this.running = undefined;
      });
    this.running = { replayId, done };
    return { replayId };
  }
}
