import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { OrderView } from '../http/response-views';
import type { Request, Response } from 'express';
import { ReadModelQueries } from '@prov/read-models';
import type { Caller } from '../auth/api-token.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { answerPage, ApiPagedResponse } from '../http/paging';
import { Roles } from '../auth/roles.decorator';
import { DecisionBody, PostponeBody, ReviewQueueQuery } from './decision.dto';
import { OrderDecisions } from './order-decisions';

/** Provisioning review: orders awaiting approval and errored orders. */
@ApiTags('provisioning review')
@ApiBearerAuth()
@Controller('review/orders')
export class ReviewController {
  constructor(
    private readonly decisions: OrderDecisions,
    private readonly queries: ReadModelQueries,
  ) {}

  /** Orders awaiting approval and errored orders; `?postponed=true` lists the postponed ones instead. */
  @Get()
  @Roles('reviewer')
  @ApiPagedResponse('Provisioning review queue, oldest change first', OrderView)
  async queue(
    @Query() query: ReviewQueueQuery,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { cursor, limit, postponed, ...filter } = query;
    return answerPage(request, response, () =>
      this.queries.reviewQueue({ ...filter, postponed: postponed === 'true' }, { cursor, limit }),
    );
  }

  @Post(':orderId/approve')
  @Roles('reviewer')
  @HttpCode(200)
  approve(@Param('orderId') orderId: string, @Body() body: DecisionBody, @CurrentCaller() caller: Caller) {
    return this.decisions.send(orderId, 'approve', caller, { comment: body.comment });
  }

  @Post(':orderId/decline')
  @Roles('reviewer')
  @HttpCode(200)
  decline(@Param('orderId') orderId: string, @Body() body: DecisionBody, @CurrentCaller() caller: Caller) {
    return this.decisions.send(orderId, 'decline', caller, { comment: body.comment });
  }

  @Post(':orderId/postpone')
  @Roles('reviewer')
  @HttpCode(200)
  postpone(@Param('orderId') orderId: string, @Body() body: PostponeBody, @CurrentCaller() caller: Caller) {
    return this.decisions.send(orderId, 'postpone', caller, { comment: body.comment, until: body.until });
  }

  @Post(':orderId/retry')
  @Roles('reviewer')
  @HttpCode(200)
  retry(@Param('orderId') orderId: string, @Body() body: DecisionBody, @CurrentCaller() caller: Caller) {
    return this.decisions.send(orderId, 'retry', caller, { comment: body.comment });
  }
}
