import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { JobView } from '../http/response-views';
import { CommandClient } from '@prov/messaging';
import { ReadModelQueries } from '@prov/read-models';
import type { Caller } from '../auth/api-token.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { Roles } from '../auth/roles.decorator';
import { answerPage, ApiPagedResponse, PageQuery } from '../http/paging';

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
    return this.commands.send<{ jobId: string }>('orders', 'start-complete-job', {
      actor: caller.actor,
      trigger: 'api',
    });
  }

  @Get()
  @Roles('requester', 'reviewer', 'operator', 'auditor')
  @ApiPagedResponse('Job runs, most recent first (50 per page unless limit says otherwise)', JobView)
  async list(
    @Query() query: PageQuery,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answerPage(request, response, () =>
      this.queries.jobsPage({ cursor: query.cursor, limit: query.limit }),
    );
  }

  @Get(':id')
  @Roles('requester', 'reviewer', 'operator', 'auditor')
  @ApiOkResponse({ type: JobView })
  async get(@Param('id') id: string) {
    const job = await this.queries.job(id);
    if (!job) throw new NotFoundException({ code: 'JobNotFound', message: `job ${id} does not exist (yet)` });
    return job;
  }
}
