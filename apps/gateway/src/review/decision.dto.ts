import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import {
  CALLER_FIELDS,
  ORDER_PATH_FIELDS,
  OrderDecisionMessage,
  PostponeOrderMessage,
  ReportManualErrorMessage,
} from '@prov/contracts';
import { PageQuery } from '../http/paging';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';

// The bodies are the bus messages without the caller and without what the path names.
const NOT_IN_BODY = [...CALLER_FIELDS, ...ORDER_PATH_FIELDS] as const;

export class DecisionBody extends OmitType(OrderDecisionMessage, NOT_IN_BODY) {}

export class PostponeBody extends OmitType(PostponeOrderMessage, NOT_IN_BODY) {}

export class ReportErrorBody extends OmitType(ReportManualErrorMessage, NOT_IN_BODY) {}

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
