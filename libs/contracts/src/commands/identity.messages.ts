import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEmail,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { CommandCallerDto } from './command-caller';

/** The identity commands as they travel on the bus (gateway → requests). */
export class RegisterIdentityMessage extends CommandCallerDto {
  @ApiPropertyOptional({ example: 'alice.martin', description: 'defaults to a new UUID' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/, {
    message: 'id must be letters, digits, _ . @ - (at most 100)',
  })
  id?: string;

  @ApiProperty({ example: 'amartin' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  login!: string;

  @ApiProperty({ example: 'Alice' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  firstName!: string;

  @ApiProperty({ example: 'Martin' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  lastName!: string;

  @ApiProperty({ example: 'alice.martin@example.test' })
  @IsEmail()
  email!: string;

  @ApiPropertyOptional({ example: 'Finance' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  department?: string;

  @ApiPropertyOptional({ example: { costCenter: 'FI-01' } })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, string | number | boolean>;
}

/** The mover's changes (PATCH): absent fields stay; `department: null` removes it; attributes merge key by key (null removes). */
export class UpdateIdentityMessage extends CommandCallerDto {
  @IsString()
  @MinLength(1)
  identityId!: string;

  @ApiPropertyOptional({
    example: 'amartin2',
    description: 'the account key of most resource types: a change renames accounts',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  login?: string;

  @ApiPropertyOptional({ example: 'Alice' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  firstName?: string;

  @ApiPropertyOptional({ example: 'Martin-Dupont' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  lastName?: string;

  @ApiPropertyOptional({ example: 'alice.martin@example.test' })
  @IsOptional()
  @IsEmail()
  email?: string;

  @ApiPropertyOptional({ example: 'Finance', nullable: true, description: 'null removes the department' })
  @IsOptional()
  @ValidateIf((_o, value) => value !== null)
  @IsString()
  @MaxLength(200)
  department?: string | null;

  @ApiPropertyOptional({
    example: { costCenter: 'FI-02' },
    description: 'merged key by key; null removes a key',
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, string | number | boolean | null>;
}

export class IdentityStatusMessage extends CommandCallerDto {
  @IsString()
  @MinLength(1)
  identityId!: string;

  @ApiPropertyOptional({ example: 'left the company' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class DeactivateIdentityMessage extends IdentityStatusMessage {
  @ApiPropertyOptional({
    example: '2030-06-30T17:00:00Z',
    description: 'a later time schedules the deactivation',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}
