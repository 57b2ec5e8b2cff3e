import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { CommandCallerDto } from './command-caller';

/** A person's decision on one order, the reviewer's or the operator's (gateway → review). */
export class OrderDecisionMessage extends CommandCallerDto {
  @IsUUID()
  assignmentId!: string;

  @IsString()
  @MinLength(1)
  orderId!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class PostponeOrderMessage extends OrderDecisionMessage {
  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}

export class ReportManualErrorMessage extends OrderDecisionMessage {
  @ApiPropertyOptional({ description: 'what went wrong (required)' })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  error!: string;
}

/** What the path names rather than the body: `/api/.../:assignmentId/orders/:orderId/...`. */
export const ORDER_PATH_FIELDS = ['assignmentId', 'orderId'] as const;
