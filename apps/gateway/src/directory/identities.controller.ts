import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CommandClient } from '@prov/messaging';
import { ReadModelQueries } from '@prov/read-models';
import type { Caller } from '../auth/api-token.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { Roles } from '../auth/roles.decorator';
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
  async register(@Body() body: RegisterIdentityBody, @CurrentCaller() caller: Caller, @Res({ passthrough: true }) res: Response) {
    const result = await this.commands.send<{ identityId: string; created: boolean }>('requests', 'register-identity', {
      ...body,
      actor: caller.actor,
    });
    if (!result.created) res.status(200);
    return result;
  }

  @Get()
  @Roles('requester', 'reviewer', 'operator')
  list(@Query() query: IdentitySearchQuery) {
    return this.queries.identities(query.search, query.limit ?? 100, query.offset ?? 0);
  }

  @Get(':id')
  @Roles('requester', 'reviewer', 'operator')
  async get(@Param('id') id: string) {
    const identity = await this.queries.identity(id);
    if (!identity) throw new NotFoundException({ code: 'IdentityNotFound', message: `identity ${id} does not exist` });
    return identity;
  }

  /** The View Permissions tab: every assignment of the identity with its provisioning state. */
  @Get(':id/permissions')
  @Roles('requester', 'reviewer', 'operator')
  async permissions(@Param('id') id: string) {
    if (!(await this.queries.identity(id))) {
      throw new NotFoundException({ code: 'IdentityNotFound', message: `identity ${id} does not exist` });
    }
    return this.queries.assignments({ identityId: id });
  }
}
