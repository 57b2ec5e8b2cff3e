import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { OrderView } from '../http/response-views';
import type { Request, Response } from 'express';
import { ReadModelQueries } from '@prov/read-models';
import type { Caller } from '../auth/api-token.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { answerPage, ApiPagedResponse } from '../http/paging';
import { Roles } from '../auth/roles.decorator';
import { DecisionBody, QueueFilterQuery, ReportErrorBody } from './decision.dto';
import { OrderDecisions } from './order-decisions';

/** Manual provisioning: orders transmitted to operators, who confirm or report an error. */
@ApiTags('manual provisioning')
@ApiBearerAuth()
@Controller('manual/orders')
export class ManualController {
  constructor(
    private readonly decisions: OrderDecisions,
    private readonly queries: ReadModelQueries,
  ) {}

  @Get()
  @Roles('operator')
  @ApiPagedResponse('Orders transmitted to operators, oldest change first', OrderView)
  async queue(
    @Query() query: QueueFilterQuery,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { cursor, limit, ...filter } = query;
    return answerPage(request, response, () => this.queries.manualQueue(filter, { cursor, limit }));
  }

  @Post(':orderId/confirm')
  @Roles('operator')
  @HttpCode(200)
  confirm(@Param('orderId') orderId: string, @Body() body: DecisionBody, @CurrentCaller() caller: Caller) {
    return this.decisions.send(orderId, 'confirm', caller, { comment: body.comment });
  }

  @Post(':orderId/report-error')
  @Roles('operator')
  @HttpCode(200)
  reportError(
    @Param('orderId') orderId: string,
    @Body() body: ReportErrorBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.decisions.send(orderId, 'report-error', caller, { comment: body.comment, error: body.error });
  }
}
