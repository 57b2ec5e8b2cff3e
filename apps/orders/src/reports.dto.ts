import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

/** An agent's (or the dead-letter path's) result for one attempt of one order. */
export class OrderReportDto {
  @IsUUID()
  assignmentId!: string;

  @IsString()
  @MinLength(1)
  orderId!: string;

  @IsInt()
  @Min(1)
  attempt!: number;

  @IsIn(['executed', 'errored'])
  outcome!: 'executed' | 'errored';

  @ValidateIf((report: OrderReportDto) => report.outcome === 'errored')
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  error?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;
}

export class SynchronizedAccountDto {
  @IsString()
  @MinLength(1)
  accountKey!: string;

  @IsObject()
  attributes!: Record<string, unknown>;

  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class SynchronizedMembershipDto {
  @IsString()
  @MinLength(1)
  accountKey!: string;

  @IsString()
  @MinLength(1)
  group!: string;
}

/** Everything an agent read back from one connection. */
export class SynchronizationReportDto {
  @Matches(/^[a-z0-9_]+$/, { message: 'connectionId must be lowercase letters, digits and _' })
  connectionId!: string;

  @IsUUID()
  synchronizationId!: string;

  @IsOptional()
  @IsString()
  jobId?: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SynchronizedAccountDto)
  accounts!: SynchronizedAccountDto[];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SynchronizedMembershipDto)
  memberships!: SynchronizedMembershipDto[];
}
