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
  constructor(readonly replayId: string) {
    super('REPLAY_ALREADY_RUNNING', `an audit replay is already running (replay ${replayId})`);
  }
}

/** Audit replay: rebuild every read model from the event log while the system keeps running. */
@Controller()
export class ReplayHandler {
  private readonly logger = new Logger('Replay');
  private running?: { replayId: string; done: Promise<void> };

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly live: ProjectorLifecycle,
  ) {}

  @MessagePattern(commandSubject('projector', 'replay'))
  start(@Payload() dto: CommandCallerDto): { replayId: string } {
    if (this.running) throw new ReplayAlreadyRunningError(this.running.replayId);
    const replayId = randomUUID();
    this.logger.log({ msg: 'audit replay started', replayId, by: dto.actor });
    const done = new ReadModelRebuild(this.pool, this.store, this.live)
      .run(replayId)
      .then(() => this.logger.log({ msg: 'audit replay completed', replayId }))
      .catch((error) => this.logger.error({ msg: 'audit replay failed', replayId, error: String(error) }))
      .finally(() => (this.running = undefined));
    this.running = { replayId, done };
    return { replayId };
  }
}
