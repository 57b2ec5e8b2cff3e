import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { IsOptional, IsString, Matches } from 'class-validator';
import { type ConnectionTestResult, isConnectorError, type SynchronizedResources } from '@prov/connectors';
import { CommandClient, commandErrorPayload, commandSubject } from '@prov/messaging';
import { ConnectorPool } from './connector-pool';
import { ReadBack } from './read-back';

export class ConnectionCommandDto {
  @Matches(/^[a-z0-9_]+$/, { message: 'connectionId must be lowercase letters, digits and _' })
  connectionId!: string;

  @IsOptional()
  @IsString()
  jobId?: string;
}

/** Commands to the agent: synchronize a connection, test it. */
@Controller()
export class AgentHandler {
  private readonly readBack = new ReadBack();

  constructor(
    private readonly pool: ConnectorPool,
    private readonly commands: CommandClient,
  ) {}

  /** Reads the managed system back and hands the result to `orders`, which verifies and records drift. */
  @MessagePattern(commandSubject('agent', 'synchronize'))
  async synchronize(@Payload() dto: ConnectionCommandDto) {
    let resources: SynchronizedResources;
    try {
      resources = (await this.readBack.read(dto.connectionId, this.pool.connector(dto.connectionId))).resources;
    } catch (error) {
      // The connector's message is the target's own, secrets scrubbed: the job shows it as the
      // connection's error instead of an anonymous internal error. 503 when trying again later
      // may work, 422 when the configuration or the target must be fixed first.
      if (!isConnectorError(error)) throw error;
      const status = error.kind === 'transient' ? 503 : 422;
      throw new RpcException(commandErrorPayload('ConnectorError', status, error.message, { kind: error.kind }));
    }
    return this.commands.send(
      'sync',
      'report',
      {
        connectionId: dto.connectionId,
        synchronizationId: randomUUID(),
        ...(dto.jobId ? { jobId: dto.jobId } : {}),
        accounts: resources.accounts,
        memberships: resources.memberships,
      },
      { timeoutMs: 60_000 },
    );
  }

  @MessagePattern(commandSubject('agent', 'test-connection'))
  async test(@Payload() dto: ConnectionCommandDto): Promise<ConnectionTestResult> {
    try {
      return await this.pool.connector(dto.connectionId).test();
    } catch (error) {
      // Settings that cannot work (a variable not set) are the test's answer, not a failure of it.
      if (isConnectorError(error)) return { ok: false, message: error.message };
      throw error;
    }
  }
}
