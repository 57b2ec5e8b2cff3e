import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AssignmentView, HistoryEventView } from '../http/response-views';
import { CommandClient } from '@prov/messaging';
import { ReadModelQueries } from '@prov/read-models';
import type { Caller } from '../auth/api-token.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { Roles } from '../auth/roles.decorator';
import { BatchBody, type BatchResponse, BatchRoute } from '../http/batch';
import { type CreateCommand, CreateCommands } from '../http/create-command';
import { answerPage, ApiPagedResponse } from '../http/paging';
import { AssignmentAsOf } from './assignment-as-of';
import {
  AsOfQuery,
  AssignmentSearchQuery,
  RequestAssignmentBody,
  RevokeAssignmentBody,
  stateCodeOf,
} from './assignment.dto';

const READERS = ['requester', 'reviewer', 'operator', 'auditor'] as const;

const REQUEST_ASSIGNMENT: CreateCommand<RequestAssignmentBody, 'assignmentId'> = {
  command: 'request-assignment',
  idField: 'assignmentId',
  body: RequestAssignmentBody,
};

@ApiTags('assignments')
@ApiBearerAuth()
@Controller('assignments')
export class AssignmentsController {
  constructor(
    private readonly commands: CommandClient,
    private readonly creates: CreateCommands,
    private readonly queries: ReadModelQueries,
    private readonly asOf: AssignmentAsOf,
  ) {}

  /**
   * Records the request (202): evaluation and provisioning follow asynchronously. An entitlement
   * the identity already holds answers 200 with the existing assignment (409 when its dates differ).
   */
  @Post()
  @Roles('requester')
  @HttpCode(202)
  @ApiResponse({ status: 202, description: 'requested: { assignmentId, created: true }' })
  @ApiResponse({
    status: 200,
    description: 'already held: { assignmentId (the existing one), created: false }',
  })
  @ApiResponse({ status: 409, description: 'held with other dates, or the identity is deactivated' })
  request(
    @Body() body: RequestAssignmentBody,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.creates.answer(REQUEST_ASSIGNMENT, body, caller, res);
  }

  /**
   * Up to 1,000 requests in one call (first loads, reorganisations): each item is the body of
   * POST /assignments, validated and carried out on its own; the answer has one result per item.
   */
  @BatchRoute('already held; its assignmentId')
  requestBatch(@Body() body: BatchBody, @CurrentCaller() caller: Caller): Promise<BatchResponse> {
    return this.creates.batch(REQUEST_ASSIGNMENT, body.items, caller);
  }

  @Delete(':id')
  @Roles('requester')
  @HttpCode(202)
  @ApiResponse({ status: 409, description: 'a birthright rule holds the entitlement' })
  revoke(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: RevokeAssignmentBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.commands.send<{ assignmentId: string }>('requests', 'revoke-assignment', {
      assignmentId: id,
      comment: body?.comment,
      actor: caller.actor,
    });
  }

  @Get()
  @Roles(...READERS)
  @ApiPagedResponse(
    'Assignments, most recently requested first (500 per page unless limit says otherwise)',
    AssignmentView,
  )
  async search(
    @Query() query: AssignmentSearchQuery,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const filter = {
      provisioningStateCode: stateCodeOf(query.provisioningState),
      identityId: query.identityId,
      entitlementId: query.entitlementId,
    };
    return answerPage(request, response, () =>
      this.queries.assignmentsPage(filter, { cursor: query.cursor, limit: query.limit ?? 500 }),
    );
  }

  /** The assignment now, or `?asOf=<ISO time>`: as it was at that instant, folded from its stream. */
  @Get(':id')
  @Roles(...READERS)
  @ApiOkResponse({ type: AssignmentView })
  async get(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: AsOfQuery) {
    if (query.asOf) {
      const past = await this.asOf.at(id, new Date(query.asOf));
      if (past === 'not-yet') {
        throw new NotFoundException({
          code: 'AssignmentNotFound',
          message: `assignment ${id} did not exist yet at ${query.asOf}`,
        });
      }
      if (!past)
        throw new NotFoundException({
          code: 'AssignmentNotFound',
          message: `assignment ${id} does not exist`,
        });
      return past;
    }
    const assignment = await this.queries.assignment(id);
    if (!assignment)
      throw new NotFoundException({ code: 'AssignmentNotFound', message: `assignment ${id} does not exist` });
    return assignment;
  }

  /** Every event of the assignment, in order, with who did it and why (audit). */
  @Get(':id/history')
  @Roles(...READERS)
  @ApiOkResponse({ type: [HistoryEventView] })
  async history(@Param('id', new ParseUUIDPipe()) id: string) {
    const history = await this.queries.history(id);
    if (history.length === 0) {
      throw new NotFoundException({ code: 'AssignmentNotFound', message: `assignment ${id} does not exist` });
    }
    return history;
  }
}
