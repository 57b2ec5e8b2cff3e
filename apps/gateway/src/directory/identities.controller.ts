import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CommandClient } from '@prov/messaging';
import { allPages, ReadModelQueries } from '@prov/read-models';
import type { Caller } from '../auth/api-token.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiPagedResponse, readPage, sendPage } from '../http/paging';
import { IdentitySearchQuery, RegisterIdentityBody } from './identity.dto';

@ApiTags('directory')
@ApiBearerAuth()
@Controller('identities')
export class IdentitiesController {
  constructor(
    private readonly commands: CommandClient,
    private readonly queries: ReadModelQueries,
  ) {}

  /** Registers an identity (201), or answers 200 when the same identity is registered already. */
  @Post()
  @Roles('requester')
  @HttpCode(201)
  async register(
    @Body() body: RegisterIdentityBody,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.commands.send<{ identityId: string; created: boolean }>(
      'requests',
      'register-identity',
      {
        ...body,
        actor: caller.actor,
      },
    );
    if (!result.created) res.status(200);
    return result;
  }

  @Get()
  @Roles('requester', 'reviewer', 'operator')
  @ApiPagedResponse('Identities by last name, first name and id (100 per page unless limit says otherwise)')
  async list(
    @Query() query: IdentitySearchQuery,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    // offset is kept for earlier clients; a cursor walks the list without skipping or repeating.
    if (query.offset !== undefined)
      return this.queries.identities(query.search, query.limit ?? 100, query.offset);
    const page = await readPage(() =>
      this.queries.identitiesPage(query.search, { cursor: query.cursor, limit: query.limit }),
    );
    return sendPage(page, request, response);
  }

  @Get(':id')
  @Roles('requester', 'reviewer', 'operator')
  async get(@Param('id') id: string) {
    const identity = await this.queries.identity(id);
    if (!identity)
      throw new NotFoundException({ code: 'IdentityNotFound', message: `identity ${id} does not exist` });
    return identity;
  }

  /** The View Permissions tab: every assignment of the identity with its provisioning state. */
  @Get(':id/permissions')
  @Roles('requester', 'reviewer', 'operator')
  async permissions(@Param('id') id: string) {
    if (!(await this.queries.identity(id))) {
      throw new NotFoundException({ code: 'IdentityNotFound', message: `identity ${id} does not exist` });
    }
    // Every assignment, however many: the tab shows them all.
    return allPages((cursor) => this.queries.assignmentsPage({ identityId: id }, { cursor }));
  }
}
