import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, Matches, MaxLength } from 'class-validator';
import { LimitField } from '../http/paging';

export class AuditLogQuery {
  @ApiPropertyOptional({ description: 'the `next` of the previous page; omitted: from the first event' })
  @IsOptional()
  @Matches(/^[0-9:]{1,100}$/, { message: 'after must be a position returned as `next` by this endpoint' })
  after?: string;

  @ApiPropertyOptional({ example: 'assignment-', description: 'only streams whose name starts with this' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9]*-[A-Za-z0-9._@-]*$/, {
    message: 'stream must be a category with its dash, optionally followed by an id',
  })
  stream?: string;

  @ApiPropertyOptional({ example: 'ProvisioningOrderApproved', description: 'only events of this type' })
  @IsOptional()
  @Matches(/^[A-Z][A-Za-z]{1,80}$/, {
    message: 'type must be an event type such as ProvisioningOrderApproved',
  })
  type?: string;

  @ApiPropertyOptional({
    example: 'Rita Reviewer (rita)',
    description: "only events whose metadata's actor is exactly this",
  })
  @IsOptional()
  @MaxLength(200, { message: 'actor must be at most 200 characters' })
  actor?: string;

  @ApiPropertyOptional({
    example: '2030-01-01T00:00:00Z',
    description: 'only events that happened at or after this instant',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 instant such as 2030-01-01T00:00:00Z' })
  from?: string;

  @ApiPropertyOptional({
    example: '2030-02-01T00:00:00Z',
    description: 'only events that happened before this instant',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 instant such as 2030-02-01T00:00:00Z' })
  to?: string;

  @LimitField(1000, { default: 100 })
  limit?: number;
}

export class AuditExportQuery extends AuditLogQuery {
  @ApiPropertyOptional({ enum: ['jsonl', 'csv'], default: 'jsonl' })
  @IsOptional()
  @IsIn(['jsonl', 'csv'], { message: 'format must be jsonl or csv' })
  format?: 'jsonl' | 'csv';
}
