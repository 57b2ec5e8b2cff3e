import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { CommandCallerDto } from './command-caller';

/**
 * The assignment commands as they travel on the bus (gateway → requests). The gateway's request
 * bodies are these classes without the caller fields and the path parameters, so that both sides
 * hold the same limits.
 */
export class RequestAssignmentMessage extends CommandCallerDto {
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

export class RevokeAssignmentMessage extends CommandCallerDto {
  @IsUUID()
  assignmentId!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}
