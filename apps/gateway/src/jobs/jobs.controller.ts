import { Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandClient } from '@prov/messaging';
import { ReadModelQueries } from '@prov/read-models';
import type { Caller } from '../auth/api-token.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { Roles } from '../auth/roles.decorator';

/** The Job Execution page: start the complete job, follow its tasks. */
@ApiTags('jobs')
@ApiBearerAuth()
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly commands: CommandClient,
    private readonly queries: ReadModelQueries,
  ) {}

  /** 202 with the job id; 409 with the running job's id when one runs already. */
  @Post('complete')
  @Roles('operator')
  @HttpCode(202)
  start(@CurrentCaller() caller: Caller) {
    return this.commands.send<{ jobId: string }>('orders', 'start-complete-job', { actor: caller.actor, trigger: 'api' });
  }

  @Get()
  @Roles('requester', 'reviewer', 'operator')
  list() {
    return this.queries.jobs();
  }

  @Get(':id')
  @Roles('requester', 'reviewer', 'operator')
  async get(@Param('id') id: string) {
    const job = await this.queries.job(id);
    if (!job) throw new NotFoundException({ code: 'JobNotFound', message: `job ${id} does not exist (yet)` });
    return job;
  }
}
