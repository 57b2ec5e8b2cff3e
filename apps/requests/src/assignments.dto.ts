import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { CommandCallerDto } from '@prov/platform';

export class RequestAssignmentDto extends CommandCallerDto {
  @IsOptional()
  @IsUUID()
  assignmentId?: string;

  @IsString()
  @MinLength(1)
  identityId!: string;

  @IsString()
  @MinLength(1)
  entitlementId!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  startsAt?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  endsAt?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class RevokeAssignmentDto extends CommandCallerDto {
  @IsUUID()
  assignmentId!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}
