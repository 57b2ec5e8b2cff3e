import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { CommandCallerDto } from '@prov/platform';

/** A person's decision on one order: the reviewer's or the operator's. */
export class OrderDecisionDto extends CommandCallerDto {
  @IsUUID()
  assignmentId!: string;

  @IsString()
  @MinLength(1)
  orderId!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class PostponeOrderDto extends OrderDecisionDto {
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}

export class ReportManualErrorDto extends OrderDecisionDto {
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  error!: string;
}
