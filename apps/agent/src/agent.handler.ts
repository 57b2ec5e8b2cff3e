import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, NatsContext, Payload, RpcException } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { IsOptional, IsString, Matches } from 'class-validator';
import { type ConnectionTestResult, isConnectorError, type SynchronizedResources } from '@prov/connectors';
import { PAGED_SYNCHRONIZATION_REPORT_TIMEOUT_MS, SYNCHRONIZATION_REPORT_TIMEOUT_MS } from '@prov/contracts';
import { CommandClient, commandErrorPayload, connectionCommandPattern } from '@prov/messaging';
import { ConnectionBreakers } from './breaker/connection-breakers';
import type { BreakerView } from './breaker/breaker-rules';
import { ConnectorPool } from './connector-pool';
import { readReadBackSettings } from '@prov/config';
import { ReadBack } from './read-back';
import { readBackPages } from './read-back-pages';

export class ConnectionCommandDto {
  @Matches(/^[a-z0-9_]+$/, { message: 'connectionId must be lowercase letters, digits and _' })
  connectionId!: string;

  @IsOptional()
  @IsString()
  jobId?: string;
}

/**
 * The connection a command is about is named twice, in the subject (which routes it to an agent
 * serving that connection) and in the payload: they must agree.
 */
function assertSameConnection(dto: ConnectionCommandDto, context: NatsContext): void {
  const subjectConnection = context.getSubject().split('.').pop();
  if (subjectConnection !== dto.connectionId) {
    throw new RpcException(
      commandErrorPayload(
        'ValidationError',
        400,
        `connectionId '${dto.connectionId}' differs from the connection of the subject ('${subjectConnection}')`,
      ),
    );
  }
}

/** Commands to the agent about one of its connections: synchronize it, test it. */
@Controller()
export class AgentHandler {
  private readonly readBack = new ReadBack();
  private readonly pageBytes = readReadBackSettings().pageBytes;

  constructor(
    private readonly pool: ConnectorPool,
    private readonly commands: CommandClient,
    private readonly breakers: ConnectionBreakers,
  ) {}

  /** Reads the managed system back and hands the result to `orders`, which verifies and records drift. */
  @MessagePattern(connectionCommandPattern('agent', 'synchronize'))
  async synchronize(@Payload() dto: ConnectionCommandDto, @Ctx() context: NatsContext) {
    assertSameConnection(dto, context);
    let resources: SynchronizedResources;
    try {
      resources = (await this.readBack.read(dto.connectionId, this.pool.connector(dto.connectionId)))
        .resources;
    } catch (error) {
      // The connector's message is the target's own, secrets scrubbed: the job shows it as the
      // connection's error instead of an anonymous internal error. 503 when trying again later
      // may work, 422 when the configuration or the target must be fixed first.
      if (!isConnectorError(error)) throw error;
      const status = error.kind === 'transient' ? 503 : 422;
      throw new RpcException(
        commandErrorPayload('ConnectorError', status, error.message, { kind: error.kind }),
      );
    }
    const synchronizationId = randomUUID();
    const identity = { connectionId: dto.connectionId, synchronizationId };
    const pages = readBackPages(resources, this.pageBytes);
    if (pages.length === 1) {
      return this.commands.send(
        'sync',
        'report',
        { ...identity, ...(dto.jobId ? { jobId: dto.jobId } : {}), ...pages[0] },
        { timeoutMs: SYNCHRONIZATION_REPORT_TIMEOUT_MS },
      );
    }
    // Over NATS's message limit in one piece (ADR 0025): `orders` keeps the pages, then the
    // report names how many there are and it compares them as one read-back.
    for (const [page, content] of pages.entries()) {
      await this.commands.send(
        'sync',
        'report-page',
        { ...identity, page, ...content },
        { timeoutMs: 60_000 },
      );
    }
    return this.commands.send(
      'sync',
      'report',
      {
        ...identity,
        ...(dto.jobId ? { jobId: dto.jobId } : {}),
        pages: pages.length,
        accounts: [],
        memberships: [],
      },
      { timeoutMs: PAGED_SYNCHRONIZATION_REPORT_TIMEOUT_MS },
    );
  }

  @MessagePattern(connectionCommandPattern('agent', 'test-connection'))
  async test(
    @Payload() dto: ConnectionCommandDto,
    @Ctx() context: NatsContext,
  ): Promise<ConnectionTestResult> {
    assertSameConnection(dto, context);
    try {
      return await this.pool.connector(dto.connectionId).test();
    } catch (error) {
      // Settings that cannot work (a variable not set) are the test's answer, not a failure of it.
      if (isConnectorError(error)) return { ok: false, message: error.message };
      throw error;
    }
  }

  /** The connection's circuit breaker in this agent (ADR 0024): the gateway's connections API shows it. */
  @MessagePattern(connectionCommandPattern('agent', 'connection-state'))
  connectionState(@Payload() dto: ConnectionCommandDto, @Ctx() context: NatsContext): BreakerView {
    assertSameConnection(dto, context);
    return this.breakers.state(dto.connectionId);
  }
}
