import {
  BadRequestException,
  ConflictException,
  Controller,
  HttpCode,
  Post,
  Query,
  Req,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Min } from 'class-validator';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { readHardeningSettings } from '@prov/config';
import { CommandClient, CommandError } from '@prov/messaging';
import { ReadModelQueries } from '@prov/read-models';
import type { Caller } from '../../auth/api-token.guard';
import { CurrentCaller } from '../../auth/caller.decorator';
import { Roles } from '../../auth/roles.decorator';
import { LimitField } from '../../http/paging';
import { mapLimited, readTextBody } from '../../http/text-body';
import {
  changesOf,
  DEFAULT_LEAVER_THRESHOLD,
  diffPopulation,
  exceedsLeaverThreshold,
  type PopulationChange,
  type PopulationDiff,
} from './population-diff';
import { parsePopulation, type LineProblem, type PopulationEntry } from './population-file';

export class ImportQuery {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description: 'true: answer what would change, write nothing',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'dryRun must be true or false' })
  dryRun?: 'true' | 'false';

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description: 'true: apply even above the leaver threshold',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'force must be true or false' })
  force?: 'true' | 'false';

  @ApiPropertyOptional({ default: 0, description: 'first change of the listed page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @LimitField(1000, { default: 100, description: 'changes listed in the answer (the counts cover all)' }, 0)
  limit?: number;
}

// Commands in flight at once: thousands of lines in a minute without flooding `requests`.
const CONCURRENCY = 16;
const JSON_LINES = [
  'application/x-ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
];
const CSV = ['text/csv', 'application/csv', 'text/plain'];
const MAX_PROBLEMS_LISTED = 1000;
/** How long a real run's answer waits for the read model to show it. */
const READ_MODEL_WAIT_MS = 60_000;

/**
 * The HR file feed: the whole population as CSV or JSON lines. A dry run answers the joiners,
 * movers and leavers the file would cause; a real run applies them through the identity
 * commands (the caller as actor), which makes importing the same file twice change nothing.
 * A file with any bad line, or one that would make more than 10 % of the active identities
 * leavers (unless forced), is refused whole.
 */
@ApiTags('directory')
@ApiBearerAuth()
@Controller('identities')
export class IdentitiesImportController {
  private readonly maxBytes = readHardeningSettings().csvImportMaxBytes;

  constructor(
    private readonly commands: CommandClient,
    private readonly queries: ReadModelQueries,
  ) {}

  @Post('import')
  @Roles('hr-feed')
  @HttpCode(200)
  @ApiConsumes('text/csv', 'application/x-ndjson')
  @ApiResponse({
    status: 400,
    description: 'a line is wrong (details: line, field, message); nothing was applied',
  })
  @ApiResponse({
    status: 409,
    description: 'too many leavers for one file; nothing was applied (force=true applies)',
  })
  async import(@Req() request: Request, @Query() query: ImportQuery, @CurrentCaller() caller: Caller) {
    const format = request.is(JSON_LINES) ? 'jsonl' : request.is(CSV) ? 'csv' : undefined;
    if (!format)
      throw new UnsupportedMediaTypeException(
        `send the file as text/csv or application/x-ndjson (JSON lines); got ${request.headers['content-type'] ?? 'no Content-Type'}`,
      );
    const text = await readTextBody(request, this.maxBytes, 'the file', 'ImportInvalid');
    const file = parsePopulation(text, format);
    const dryRun = query.dryRun === 'true';
    if (file.problems.length && !dryRun) throw this.invalid(file.problems);
    const diff = diffPopulation(file.entries, await this.queries.identityRecords());
    const answer = this.describe(diff, query, dryRun, file.problems);
    if (dryRun) return answer;
    if (exceedsLeaverThreshold(diff) && query.force !== 'true') {
      throw new ConflictException({
        code: 'LeaverThresholdExceeded',
        message: `nothing was applied: the file makes ${diff.leavers.length} of ${diff.activeBefore} active identities leavers, more than ${DEFAULT_LEAVER_THRESHOLD * 100} %; check the file, or send force=true to apply it`,
      });
    }
    const importId = randomUUID();
    const outcomes = await mapLimited(changesOf(diff), CONCURRENCY, (change) =>
      this.apply(change, caller.actor, importId),
    );
    const failed = outcomes.filter((o) => o !== undefined);
    const pending = await this.untilShown(file.entries, new Set(failed.map((f) => f.identityId)));
    return {
      ...answer,
      importId,
      applied: outcomes.length - failed.length,
      failed,
      ...(pending ? { pendingInReadModel: pending } : {}),
    };
  }

  /**
   * The answer waits (bounded) until the directory read model shows the import, so that the
   * caller's next dry run or import compares with what this one did. Returns how many changes it
   * still did not show when the wait ended (0: all).
   */
  private async untilShown(entries: PopulationEntry[], failed: Set<string>): Promise<number> {
    const deadline = Date.now() + READ_MODEL_WAIT_MS;
    for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
      const diff = diffPopulation(entries, await this.queries.identityRecords());
      const pending = changesOf(diff).filter((c) => !failed.has(c.identityId)).length;
      if (pending === 0 || Date.now() > deadline) return pending;
      await delay(pause);
    }
  }

  private describe(diff: PopulationDiff, query: ImportQuery, dryRun: boolean, problems: LineProblem[]) {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    const all = changesOf(diff);
    return {
      dryRun,
      counts: {
        joiners: diff.joiners.length,
        movers: diff.movers.length,
        leavers: diff.leavers.length,
        unchanged: diff.unchanged,
      },
      activeBefore: diff.activeBefore,
      leaverThresholdExceeded: exceedsLeaverThreshold(diff),
      changes: { total: all.length, offset, limit, items: all.slice(offset, offset + limit) },
      ...(dryRun ? { problems: problems.slice(0, MAX_PROBLEMS_LISTED), problemCount: problems.length } : {}),
    };
  }

  private invalid(problems: LineProblem[]) {
    const first = problems
      .slice(0, 3)
      .map((p) => `line ${p.line} ${p.field}: ${p.message}`)
      .join('; ');
    return new BadRequestException({
      code: 'ImportInvalid',
      message: `nothing was applied: ${problems.length} problem(s) in the file, e.g. ${first}`,
      details: problems.slice(0, MAX_PROBLEMS_LISTED),
    });
  }

  /** One change through the identity commands; undefined when it was applied, else why not. */
  private async apply(change: PopulationChange, actor: string, correlationId: string) {
    const caller = { actor, correlationId };
    const { identityId } = change;
    try {
      if (change.kind === 'leaver') {
        await this.commands.send('requests', 'deactivate-identity', {
          identityId,
          comment: 'not in the HR file',
          ...caller,
        });
        return undefined;
      }
      if (change.kind === 'joiner' && change.register) {
        await this.commands.send('requests', 'register-identity', { ...change.register, ...caller });
        return undefined;
      }
      if (change.update)
        await this.commands.send('requests', 'update-identity', { ...change.update, identityId, ...caller });
      if (change.kind === 'joiner' && change.reactivate)
        await this.commands.send('requests', 'reactivate-identity', {
          identityId,
          comment: 'back in the HR file',
          ...caller,
        });
      return undefined;
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      const line = change.kind === 'leaver' ? {} : { line: change.line };
      return {
        ...line,
        identityId,
        kind: change.kind,
        status: error.status,
        code: error.code,
        message: error.message,
      };
    }
  }
}
