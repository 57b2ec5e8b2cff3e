import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { IsOptional, IsString, Matches } from 'class-validator';
import { CommandClient, commandSubject } from '@prov/messaging';
import { ConnectorPool } from './connector-pool';

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
  constructor(
    private readonly pool: ConnectorPool,
    private readonly commands: CommandClient,
  ) {}

  /** Reads the managed system back and hands the result to `orders`, which verifies and records drift. */
  @MessagePattern(commandSubject('agent', 'synchronize'))
  async synchronize(@Payload() dto: ConnectionCommandDto) {
    const resources = await this.pool.connector(dto.connectionId).readAll();
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
  test(@Payload() dto: ConnectionCommandDto) {
    return this.pool.connector(dto.connectionId).test();
  }
}
