import {
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ConnectionView, EntitlementView } from '../http/response-views';
import { CommandClient } from '@prov/messaging';
import { readOperationsSettings } from '@prov/config';
import { CachedProbe, type ConnectionBreakerReport, ROLE_MODEL } from '@prov/platform';
import { ReadModelQueries } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { Roles } from '../auth/roles.decorator';
import { answerPage, ApiPagedResponse, PageQuery } from '../http/paging';

const EVERYONE = ['requester', 'reviewer', 'operator', 'auditor'] as const;

/** The role model in force: entitlements and connections. */
@ApiTags('role model')
@ApiBearerAuth()
@Controller()
export class CatalogController {
  /** Breaker states by connection, reused for HEALTH_CACHE_MS: a busy console does not ask every agent per call. */
  private readonly breakers: CachedProbe<Map<string, ConnectionBreakerReport | null>>;

  constructor(
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    private readonly queries: ReadModelQueries,
    private readonly commands: CommandClient,
  ) {
    this.breakers = new CachedProbe(async () => {
      const automatic = this.roleModel.connections().filter((c) => c.fulfillment !== 'manual');
      const reports = await Promise.all(automatic.map((c) => this.breaker(c.id)));
      return new Map(automatic.map((c, i) => [c.id, reports[i]]));
    }, readOperationsSettings().healthCacheMs);
  }

  @Get('entitlements')
  @Roles(...EVERYONE)
  @ApiOkResponse({ type: [EntitlementView] })
  entitlements() {
    return this.roleModel.entitlementSummaries();
  }

  /** Connections with their connector, fulfilment and what the last synchronization saw. */
  @Get('connections')
  @Roles(...EVERYONE)
  @ApiOkResponse({ type: [ConnectionView] })
  async connections() {
    const connections = this.roleModel.connections();
    const [synchronizations, breakers] = await Promise.all([
      this.queries.synchronizations(),
      this.breakers.get(),
    ]);
    return connections.map((connection) => {
      const last = synchronizations.get(connection.id);
      return {
        id: connection.id,
        name: connection.name,
        connector: connection.connector,
        fulfillment: connection.fulfillment,
        health: connection.fulfillment === 'manual' ? 'manual' : last ? 'synchronized' : 'never-synchronized',
        lastSynchronization: last ?? null,
        breaker: breakers.get(connection.id) ?? null,
      };
    });
  }

  /**
   * The circuit breaker of the agent that answers for the connection (ADR 0024); null for a
   * manual connection, or when no agent answers within a second (the list must not wait on it).
   */
  private async breaker(connectionId: string): Promise<ConnectionBreakerReport | null> {
    try {
      return await this.commands.send<ConnectionBreakerReport>(
        'agent',
        'connection-state',
        { connectionId },
        { timeoutMs: 1000, connectionId },
      );
    } catch {
      return null;
    }
  }

  /** Asks the connection's agent to reach the managed system with its configured credentials. */
  @Post('connections/:id/test')
  @Roles('operator')
  @HttpCode(200)
  test(@Param('id') id: string) {
    const connection = this.connection(id);
    if (connection.fulfillment === 'manual')
      return { ok: true, message: 'manual connection: fulfilled by operators' };
    return this.commands.send(
      'agent',
      'test-connection',
      { connectionId: id },
      { timeoutMs: 30_000, connectionId: id },
    );
  }

  /**
   * The drift the last synchronization found, both ways: unexpected accounts and memberships,
   * and missing or differing ones that verified orders wrote (see docs/connectors.md#drift).
   */
  @Get('connections/:id/non-conforming')
  @Roles(...EVERYONE)
  @ApiPagedResponse('Drift found by the last synchronization, by account, group and attribute')
  async nonConforming(
    @Param('id') id: string,
    @Query() query: PageQuery,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    this.connection(id);
    return answerPage(request, response, () => this.queries.nonConforming(id, query));
  }

  private connection(id: string) {
    const connection = this.roleModel.connection(id);
    if (!connection)
      throw new NotFoundException({
        code: 'ConnectionNotFound',
        message: `connection ${id} is not in the role model`,
      });
    return connection;
  }
}
