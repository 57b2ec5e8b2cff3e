import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import type { Request, Response } from 'express';
import { AssignmentAsOf } from '../assignments/assignment-as-of';
import { Roles } from '../auth/roles.decorator';
import { answerPage, ApiPagedResponse, PageQuery } from '../http/paging';

export class HoldersQuery extends PageQuery {
  @ApiPropertyOptional({ example: '2026-11-23T12:00:00Z', description: 'the instant (default: now)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'asOf must be an ISO 8601 instant like 2026-11-23T12:00:00Z' })
  asOf?: string;
}

/** Who held an entitlement at an instant (audit: "who had access to X on that day"). */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('entitlements')
export class HoldersController {
  constructor(private readonly asOf: AssignmentAsOf) {}

  /**
   * The assignments that gave the entitlement at `asOf` (requested, not revoked or declined,
   * within their dates), folded from their streams, by assignment id, 100 per page by default.
   */
  @Get(':id/holders')
  @Roles('requester', 'reviewer', 'operator', 'auditor')
  @ApiPagedResponse('Assignments holding the entitlement at the instant, by assignment id')
  async holders(
    @Param('id') id: string,
    @Query() query: HoldersQuery,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const instant = query.asOf ? new Date(query.asOf) : new Date();
    return answerPage(request, response, () =>
      this.asOf.holders(id, instant, query.limit ?? 100, query.cursor),
    );
  }
}
