import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AssignmentView, IdentityView } from '../http/response-views';
import type { Request, Response } from 'express';
import { CommandClient } from '@prov/messaging';
import { allPages, ReadModelQueries, withOrigin } from '@prov/read-models';
import { AssignmentAsOf } from '../assignments/assignment-as-of';
import { AsOfQuery } from '../assignments/assignment.dto';
import type { Caller } from '../auth/api-token.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { Roles } from '../auth/roles.decorator';
import { BatchBody, type BatchResponse, BatchRoute } from '../http/batch';
import { type CreateCommand, CreateCommands } from '../http/create-command';
import { answerPage, ApiPagedResponse } from '../http/paging';
import {
  DeactivateIdentityBody,
  IdentitySearchQuery,
  IdentityStatusBody,
  RegisterIdentityBody,
  UpdateIdentityBody,
} from './identity.dto';

const REGISTER_IDENTITY: CreateCommand<RegisterIdentityBody, 'identityId'> = {
  command: 'register-identity',
  idField: 'identityId',
  body: RegisterIdentityBody,
};

@ApiTags('directory')
@ApiBearerAuth()
@Controller('identities')
export class IdentitiesController {
  constructor(
    private readonly commands: CommandClient,
    private readonly creates: CreateCommands,
    private readonly queries: ReadModelQueries,
    private readonly asOf: AssignmentAsOf,
  ) {}

  /** Registers an identity (201), or answers 200 when the same identity is registered already. */
  @Post()
  @Roles('requester')
  @HttpCode(201)
  @ApiResponse({
    status: 409,
    description: 'the login is held by another active identity (the message names it)',
  })
  register(
    @Body() body: RegisterIdentityBody,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.creates.answer(REGISTER_IDENTITY, body, caller, res);
  }

  /** Up to 1,000 registrations in one call (a first load): each item is the body of POST /identities, on its own. */
  @BatchRoute('registered already, same data')
  registerBatch(@Body() body: BatchBody, @CurrentCaller() caller: Caller): Promise<BatchResponse> {
    return this.creates.batch(REGISTER_IDENTITY, body.items, caller);
  }

  @Get()
  @Roles('requester', 'reviewer', 'operator', 'auditor')
  @ApiPagedResponse(
    'Identities by last name, first name and id (100 per page unless limit says otherwise)',
    IdentityView,
  )
  async list(
    @Query() query: IdentitySearchQuery,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    // offset is kept for earlier clients; a cursor walks the list without skipping or repeating.
    if (query.offset !== undefined)
      return this.queries.identities(query.search, query.limit ?? 100, query.offset);
    return answerPage(request, response, () =>
      this.queries.identitiesPage(query.search, { cursor: query.cursor, limit: query.limit }),
    );
  }

  @Get(':id')
  @Roles('requester', 'reviewer', 'operator', 'auditor')
  @ApiOkResponse({ type: IdentityView })
  async get(@Param('id') id: string) {
    const identity = await this.queries.identity(id);
    if (!identity)
      throw new NotFoundException({ code: 'IdentityNotFound', message: `identity ${id} does not exist` });
    return identity;
  }

  /**
   * The mover: changes the identity (200 with the identity). Every assignment whose computed
   * account changes gets a Modified order; a new login renames the accounts.
   */
  @Patch(':id')
  @Roles('requester')
  @ApiResponse({ status: 200, description: 'the identity after the change' })
  @ApiResponse({
    status: 409,
    description: 'the new login is held by another active identity (the message names it)',
  })
  update(@Param('id') id: string, @Body() body: UpdateIdentityBody, @CurrentCaller() caller: Caller) {
    return this.commands.send('requests', 'update-identity', {
      ...body,
      identityId: id,
      actor: caller.actor,
    });
  }

  /**
   * The leaver: every assignment is revoked (Deleted orders, never held by review); new requests
   * get 409. With a later `at` the deactivation is scheduled (`deactivationScheduledAt`).
   */
  @Post(':id/deactivate')
  @Roles('requester')
  @HttpCode(200)
  deactivate(@Param('id') id: string, @Body() body: DeactivateIdentityBody, @CurrentCaller() caller: Caller) {
    return this.commands.send('requests', 'deactivate-identity', {
      identityId: id,
      comment: body?.comment,
      at: body?.at,
      actor: caller.actor,
    });
  }

  /** Takes the identity back (409 when its login went to another identity meanwhile); birthright rules apply again. */
  @Post(':id/reactivate')
  @Roles('requester')
  @HttpCode(200)
  reactivate(@Param('id') id: string, @Body() body: IdentityStatusBody, @CurrentCaller() caller: Caller) {
    return this.commands.send('requests', 'reactivate-identity', {
      identityId: id,
      comment: body?.comment,
      actor: caller.actor,
    });
  }

  /**
   * The View Permissions tab: every assignment of the identity with its provisioning state and
   * its origin (`request` and/or `rule:<id>`: who holds it now). With `?asOf=<ISO time>`: the
   * tab as it was then, folded from the identity's and its assignments' streams.
   */
  @Get(':id/permissions')
  @Roles('requester', 'reviewer', 'operator', 'auditor')
  @ApiOkResponse({ type: [AssignmentView] })
  async permissions(@Param('id') id: string, @Query() query: AsOfQuery) {
    if (query.asOf) {
      const past = await this.asOf.permissions(id, new Date(query.asOf));
      if (!past) {
        throw new NotFoundException({
          code: 'IdentityNotFound',
          message: `identity ${id} did not exist at ${query.asOf}`,
        });
      }
      return past;
    }
    const identity = await this.queries.identity(id);
    if (!identity) {
      throw new NotFoundException({ code: 'IdentityNotFound', message: `identity ${id} does not exist` });
    }
    // Every assignment, however many: the tab shows them all.
    const assignments = await allPages((cursor) =>
      this.queries.assignmentsPage({ identityId: id }, { cursor }),
    );
    return assignments.map((assignment) => withOrigin(identity.holdings, assignment));
  }
}
