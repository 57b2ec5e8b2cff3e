import { Controller, Get, HttpCode, Inject, NotFoundException, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import { CommandClient } from '@prov/messaging';
import { DATABASE_POOL } from '@prov/platform';
import { ReadModelRebuild } from '@prov/read-models';
import type { Caller } from '../auth/api-token.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { Roles } from '../auth/roles.decorator';

/** Audit replay: rebuild every read model from the event log, build aside then swap. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/replay')
export class AdminController {
  constructor(
    private readonly commands: CommandClient,
    @Inject(DATABASE_POOL) private readonly pool: Pool,
  ) {}

  @Post()
  @Roles('admin')
  @HttpCode(202)
  start(@CurrentCaller() caller: Caller) {
    return this.commands.send<{ replayId: string }>('projector', 'replay', { actor: caller.actor });
  }

  /** The latest replay's progress: events handled, phase, and when it ended. */
  @Get()
  @Roles('admin')
  async status() {
    const status = await ReadModelRebuild.status(this.pool);
    if (!status)
      throw new NotFoundException({ code: 'ReplayNotFound', message: 'no audit replay has run yet' });
    return status;
  }
}
