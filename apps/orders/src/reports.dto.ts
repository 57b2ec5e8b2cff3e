import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

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

/** A read-back, or a page of one: the connection, the synchronization and what was read. */
class ReadBackDto {
  @Matches(/^[a-z0-9_]+$/, { message: 'connectionId must be lowercase letters, digits and _' })
  connectionId!: string;

  @IsUUID()
  synchronizationId!: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SynchronizedAccountDto)
  accounts!: SynchronizedAccountDto[];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SynchronizedMembershipDto)
  memberships!: SynchronizedMembershipDto[];
}

/** Everything an agent read back from one connection. */
export class SynchronizationReportDto extends ReadBackDto {
  @IsOptional()
  @IsString()
  jobId?: string;

  /**
   * The read-back came in this many pages (`sync.report-page`, ADR 0025) and `accounts` and
   * `memberships` are empty; absent: they are the whole read-back.
   */
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(100_000)
  pages?: number;
}

/** One page of a read-back too large for one message (ADR 0025). */
export class SynchronizationPageDto extends ReadBackDto {
  @IsInt()
  @Min(0)
  @Max(99_999)
  page!: number;
}
