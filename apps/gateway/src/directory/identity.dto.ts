import { CursorQuery } from '../http/paging';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEmail,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
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
