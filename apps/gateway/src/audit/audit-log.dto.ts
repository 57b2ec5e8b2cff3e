import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export class AuditLogQuery {
  @ApiPropertyOptional({ description: 'the `next` of the previous page; omitted: from the first event' })
  @IsOptional()
  @Matches(/^[0-9:]{1,100}$/, { message: 'after must be a position returned as `next` by this endpoint' })
  after?: string;

  @ApiPropertyOptional({ example: 'assignment-', description: 'only streams whose name starts with this' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9]*-[A-Za-z0-9._@-]*$/, { message: 'stream must be a category with its dash, optionally followed by an id' })
  stream?: string;

  @ApiPropertyOptional({ example: 'ProvisioningOrderApproved', description: 'only events of this type' })
  @IsOptional()
  @Matches(/^[A-Z][A-Za-z]{1,80}$/, { message: 'type must be an event type such as ProvisioningOrderApproved' })
  type?: string;

  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
