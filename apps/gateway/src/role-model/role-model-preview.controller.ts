import { BadRequestException, Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { decodeCursor, encodeCursor, InvalidCursorError } from '@prov/read-models';
import { parseRoleModel, type RoleModel, RoleModelValidationError } from '@prov/role-model';
import { Roles } from '../auth/roles.decorator';
import { PageQuery } from '../http/paging';
import { RoleModelPreviewService } from './role-model-preview.service';

/** The name the candidate goes by in validation messages (the loader's messages name a file). */
const CANDIDATE = 'candidate';

function invalid(field: string, rule: string, message: string): BadRequestException {
  return new BadRequestException({
    code: 'ValidationFailed',
    message: `invalid request: ${message}`,
    details: [{ field, rule, message }],
  });
}

/** The YAML text: a `text/yaml` (or text/plain) body, or JSON `{ "yaml": "…" }`. */
function candidateText(body: unknown): string {
  if (typeof body === 'string' && body.trim() !== '') return body;
  const yaml = (body as { yaml?: unknown } | undefined)?.yaml;
  if (typeof yaml === 'string' && yaml.trim() !== '') return yaml;
  throw invalid(
    'body',
    'roleModelYaml',
    'body must be the candidate role model as YAML (Content-Type: application/yaml), or JSON { "yaml": "…" }',
  );
}

function parseCandidate(text: string): RoleModel {
  try {
    return parseRoleModel(text, CANDIDATE);
  } catch (error) {
    if (!(error instanceof RoleModelValidationError)) throw error;
    throw new BadRequestException({
      code: 'RoleModelInvalid',
      message: error.message,
      details: error.issues.map((issue) => ({
        field: issue.path || 'body',
        rule: issue.rule,
        message: issue.line !== undefined ? `${issue.rule} (line ${issue.line})` : issue.rule,
        ...(issue.line !== undefined ? { line: issue.line } : {}),
      })),
    });
  }
}

/**
 * What-if: the orders a candidate role model would produce against today's identities and
 * assignments. Nothing is written and no command is sent; deploying the model stays a file change.
 */
@ApiTags('role model')
@ApiBearerAuth()
@Controller('role-model')
export class RoleModelPreviewController {
  constructor(private readonly previews: RoleModelPreviewService) {}

  @Post('preview')
  @Roles('operator', 'auditor')
  @HttpCode(200)
  @ApiBody({ description: 'the candidate role model (YAML)', schema: { type: 'string' } })
  @ApiOkResponse({
    description:
      '{ currentVersion, candidateVersion, summary (counts per change type and per connection), orders (one page), next }',
  })
  @ApiResponse({
    status: 400,
    description:
      'the candidate does not validate: details list every problem (field = path in the file, rule, line) with the loader’s messages',
  })
  async preview(@Req() request: Request, @Query() query: PageQuery) {
    const candidate = parseCandidate(candidateText(request.body));
    let offset = 0;
    if (query.cursor) {
      try {
        offset = Number(decodeCursor(`preview:${candidate.version}`, query.cursor, 1)[0]);
      } catch (error) {
        if (!(error instanceof InvalidCursorError)) throw error;
        throw invalid(
          'cursor',
          'cursor',
          'cursor must be the next of a previous preview of the same candidate',
        );
      }
    }
    const limit = query.limit ?? 100;
    const answer = await this.previews.preview(candidate, { offset, limit });
    const more = offset + limit < answer.total;
    return {
      currentVersion: answer.currentVersion,
      candidateVersion: answer.candidateVersion,
      summary: answer.summary,
      total: answer.total,
      orders: answer.orders,
      next: more ? encodeCursor(`preview:${candidate.version}`, [String(offset + limit)]) : null,
    };
  }
}
