import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CursorQuery } from '../http/paging';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PROVISIONING_STATE_CODES, PROVISIONING_STATE_NAMES, type ProvisioningStateName } from '@prov/domain';

export class RequestAssignmentBody {
  @ApiPropertyOptional({ description: 'client-chosen id; makes a retried request idempotent' })
  @IsOptional()
  @IsUUID()
  assignmentId?: string;

  @ApiProperty({ example: 'alice.martin' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  identityId!: string;

  @ApiProperty({ example: 'hr_app_reader' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  entitlementId!: string;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  startsAt?: string;

  @ApiPropertyOptional({ example: '2027-06-30T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  endsAt?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class RevokeAssignmentBody {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class AssignmentSearchQuery extends CursorQuery {
  @ApiPropertyOptional({ description: 'state name (Pending) or code (1)' })
  @IsOptional()
  @IsIn([...PROVISIONING_STATE_NAMES, ...PROVISIONING_STATE_CODES.map(String)], {
    message: `provisioningState must be a state name (${PROVISIONING_STATE_NAMES.join(', ')}) or a code 0-8`,
  })
  provisioningState?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  identityId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  entitlementId?: string;

  @ApiPropertyOptional({ default: 500, description: 'rows per page (1-5000)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 5000' })
  @Min(1, { message: 'limit must be a whole number from 1 to 5000' })
  @Max(5000, { message: 'limit must be a whole number from 1 to 5000' })
  limit?: number;
}

export function stateCodeOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const index = PROVISIONING_STATE_NAMES.indexOf(value as ProvisioningStateName);
  return index >= 0 ? index : Number(value);
}

export class AsOfQuery {
  @ApiPropertyOptional({
    example: '2026-11-23T12:00:00Z',
    description: 'the instant to show the assignment at',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  asOf?: string;
}
