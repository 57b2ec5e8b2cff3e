import {
  BadRequestException,
  ConflictException,
  Controller,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  PayloadTooLargeException,
  Post,
  Req,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { SYNCHRONIZATION_REPORT_TIMEOUT_MS } from '@prov/contracts';
import { CommandClient } from '@prov/messaging';
import { ROLE_MODEL } from '@prov/platform';
import type { RoleModel } from '@prov/role-model';
import { Roles } from '../auth/roles.decorator';
import { describeProblems, readManualSynchronization } from './manual-synchronization';

const MAX_CSV_BYTES = 5 * 1024 * 1024;
const CSV_TYPES = ['text/*', 'application/csv', 'application/vnd.ms-excel'];

/**
 * Synchronization of a manual connection: no agent can read it, so operators import what the
 * target holds as a CSV. It is recorded like an agent's read (orders service, `sync.report`):
 * executed orders it shows become 4 Verified, and the rest is the non-conforming report.
 */
@ApiTags('role model')
@ApiBearerAuth()
@Controller('connections')
export class ManualSynchronizationController {
  constructor(
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    private readonly commands: CommandClient,
  ) {}

  @Post(':id/synchronization')
  @Roles('operator')
  @HttpCode(200)
  @ApiConsumes('text/csv')
  @ApiBody({
    description:
      'What the target holds, one line per account (and per group membership): header accountKey,group,disabled,attributes or attribute columns. Every line is checked first; a wrong line rejects the whole file (400 listing each line).',
  })
  async synchronize(@Param('id') id: string, @Req() request: Request) {
    const connection = this.roleModel.connection(id);
    if (!connection) {
      throw new NotFoundException({
        code: 'ConnectionNotFound',
        message: `connection ${id} is not in the role model`,
      });
    }
    if (connection.fulfillment !== 'manual') {
      throw new ConflictException({
        code: 'ConnectionReadByAgent',
        message: `connection ${id} is automatic: its agent reads it back (the complete job synchronizes it)`,
      });
    }
    const validation = readManualSynchronization(await this.csvOf(request));
    if (!validation.ok) {
      throw new BadRequestException({
        code: 'CsvInvalid',
        message: `nothing was recorded: ${describeProblems(validation.problems)}`,
        details: validation.problems,
      });
    }
    const { read } = validation;
    const outcome = await this.commands.send<{
      synchronizationId: string;
      verified: number;
      nonConforming: number;
    }>(
      'sync',
      'report',
      {
        connectionId: id,
        synchronizationId: randomUUID(),
        accounts: read.accounts,
        memberships: read.memberships,
      },
      { timeoutMs: SYNCHRONIZATION_REPORT_TIMEOUT_MS },
    );
    return { ...outcome, accounts: read.accounts.length, memberships: read.memberships.length };
  }

  private async csvOf(request: Request): Promise<string> {
    if (!request.is(CSV_TYPES)) {
      throw new UnsupportedMediaTypeException(
        `send the CSV as text/csv; got ${request.headers['content-type'] ?? 'no Content-Type'}`,
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > MAX_CSV_BYTES)
        throw new PayloadTooLargeException(`the CSV must be at most ${MAX_CSV_BYTES / 1024 / 1024} MB`);
      chunks.push(chunk as Buffer);
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
      throw new BadRequestException({
        code: 'CsvInvalid',
        message: 'the CSV must be UTF-8 encoded (save it as "CSV UTF-8")',
      });
    }
  }
}
