import { ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '../http/paging';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class DecisionBody {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class PostponeBody extends DecisionBody {
  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}

export class ReportErrorBody extends DecisionBody {
  @ApiPropertyOptional({ description: 'what went wrong (required)' })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  error!: string;
}

export class QueueFilterQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[a-z0-9_]+$/, { message: 'connectionId must be lowercase letters, digits and _' })
  connectionId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  entitlementId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  identityId?: string;
}

export class ReviewQueueQuery extends QueueFilterQuery {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description:
      'true: only the orders postponed now (until a later time); false or absent: the queue itself, without them. A postponed order comes back by itself when its until passes.',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'postponed must be true or false' })
  postponed?: 'true' | 'false';
}
