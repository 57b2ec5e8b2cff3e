import { CursorQuery } from '../http/paging';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEmail,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { Type } from 'class-transformer';

export class RegisterIdentityBody {
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

export class IdentitySearchQuery extends CursorQuery {
  @ApiPropertyOptional({ description: 'matches login, names and email' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({
    default: 0,
    description: 'deprecated: use cursor (the X-Next-Cursor header of the previous page)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

/** The mover's changes: absent fields stay as they are. */
export class UpdateIdentityBody {
  @ApiPropertyOptional({ example: 'amartin2', description: 'the account key of most resource types: a change renames accounts' })
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

  @ApiPropertyOptional({ example: { costCenter: 'FI-02' }, description: 'merged key by key; null removes a key' })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, string | number | boolean | null>;
}

export class IdentityStatusBody {
  @ApiPropertyOptional({ example: 'left the company' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class DeactivateIdentityBody extends IdentityStatusBody {
  @ApiPropertyOptional({ example: '2030-06-30T17:00:00Z', description: 'a later time schedules the deactivation' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}
