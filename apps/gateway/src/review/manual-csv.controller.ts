import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Post,
  Query,
  Req,
  Res,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { readHardeningSettings } from '@prov/config';
import { CommandClient, CommandError } from '@prov/messaging';
import { ROLE_MODEL } from '@prov/platform';
import { allPages, ReadModelQueries } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import type { Caller } from '../auth/api-token.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { Roles } from '../auth/roles.decorator';
import { mapLimited, readTextBody } from '../http/text-body';
import { describeProblems, exportManualOrders, type ImportLine, validateImport } from './manual-csv';

export class CsvExportQuery {
  @ApiProperty({ description: 'the manual connection whose transmitted orders to export (required)' })
  @Matches(/^[a-z0-9_]+$/, { message: 'connectionId must be lowercase letters, digits and _' })
  connectionId!: string;
}

// Decisions sent at once: enough to import thousands of lines quickly, few enough not to flood `review`.
const CONCURRENCY = 8;
const CSV_TYPES = ['text/*', 'application/csv', 'application/vnd.ms-excel'];

/**
 * Manual provisioning in bulk: the transmitted orders of a connection as a CSV file, and the
 * operators' results imported from one. An import is checked whole first: if any line is wrong
 * nothing is applied and the 400 lists every line's problem; otherwise each line goes through the
 * same review command as the console's buttons, and the answer gives each line's outcome (an order
 * that moved on in between is that line's 409, the other lines are applied).
 */
@ApiTags('manual provisioning')
@ApiBearerAuth()
@Controller('manual')
export class ManualCsvController {
  /** CSV_IMPORT_MAX_BYTES: larger imports are refused (413) before a byte of them is parsed. */
  private readonly maxCsvBytes = readHardeningSettings().csvImportMaxBytes;

  constructor(
    private readonly queries: ReadModelQueries,
    private readonly commands: CommandClient,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
  ) {}

  @Get('orders.csv')
  @Roles('operator')
  @ApiProduces('text/csv')
  async exportCsv(
    @Query() query: CsvExportQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    if (!this.roleModel.connection(query.connectionId)) {
      throw new NotFoundException({
        code: 'ConnectionNotFound',
        message: `connection ${query.connectionId} is not in the role model`,
      });
    }
    // Every transmitted order, oldest first, however many: an export is never cut short.
    const orders = await allPages((cursor) =>
      this.queries.manualQueue({ connectionId: query.connectionId }, { cursor }),
    );
    const day = new Date().toISOString().slice(0, 10);
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="manual-orders-${query.connectionId}-${day}.csv"`,
    );
    return exportManualOrders(orders);
  }

  @Post('orders/import')
  @Roles('operator')
  @HttpCode(200)
  @ApiConsumes('text/csv', 'application/json')
  @ApiBody({
    description:
      'CSV with the header orderId,result,error,comment (result: confirm | error), or JSON {"csv": "..."}',
  })
  async importCsv(@Req() request: Request, @CurrentCaller() caller: Caller) {
    const text = await this.csvOf(request);
    const validation = await validateImport(text, (orderId) => this.queries.order(orderId));
    if (!validation.ok) {
      throw new BadRequestException({
        code: 'CsvInvalid',
        message: `nothing was applied: ${describeProblems(validation.problems)}`,
        details: validation.problems,
      });
    }
    // One correlation id for the whole import: the audit trail shows which decisions came together.
    const importId = randomUUID();
    const outcomes = await mapLimited(validation.lines, CONCURRENCY, (line) =>
      this.decide(line, caller, importId),
    );
    const applied = outcomes.filter((o) => o.status === 200).length;
    return { importId, applied, failed: outcomes.length - applied, lines: outcomes };
  }

  private async decide(line: ImportLine, caller: Caller, correlationId: string) {
    const base = { line: line.line, orderId: line.orderId, result: line.result };
    try {
      const outcome = await this.commands.send<{ provisioningState: string; provisioningStateCode: number }>(
        'review',
        line.result === 'confirm' ? 'confirm' : 'report-error',
        {
          assignmentId: line.assignmentId,
          orderId: line.orderId,
          actor: caller.actor,
          correlationId,
          ...(line.comment ? { comment: line.comment } : {}),
          ...(line.error ? { error: line.error } : {}),
        },
      );
      return {
        ...base,
        status: 200,
        provisioningState: outcome.provisioningState,
        provisioningStateCode: outcome.provisioningStateCode,
      };
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      return { ...base, status: error.status, code: error.code, message: error.message };
    }
  }

  /** The CSV text of the request: a text/csv body (streamed, up to CSV_IMPORT_MAX_BYTES) or JSON {"csv": "..."}. */
  private async csvOf(request: Request): Promise<string> {
    if (request.is('application/json')) {
      const body = request.body as unknown;
      const csv = typeof body === 'object' && body !== null ? (body as { csv?: unknown }).csv : undefined;
      const extra =
        typeof body === 'object' && body !== null ? Object.keys(body).filter((k) => k !== 'csv') : [];
      if (typeof csv !== 'string' || extra.length > 0) {
        throw new BadRequestException({
          code: 'ValidationFailed',
          message: `invalid request: the JSON body must be {"csv": "<text>"}${extra.length ? ` (unknown: ${extra.join(', ')})` : ''}`,
          details: [{ field: 'csv', rule: 'isString', message: 'csv must be the CSV text' }],
        });
      }
      return csv;
    }
    if (!request.is(CSV_TYPES)) {
      throw new UnsupportedMediaTypeException(
        `send the CSV as text/csv, or as JSON {"csv": "..."}; got ${request.headers['content-type'] ?? 'no Content-Type'}`,
      );
    }
    return readTextBody(request, this.maxCsvBytes, 'the CSV', 'CsvInvalid');
  }
}
