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
import { CommandCallerDto } from '@prov/platform';

export class RegisterIdentityDto extends CommandCallerDto {
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/, {
    message: 'id must be letters, digits, _ . @ - (at most 100)',
  })
  id?: string;

  @IsString()
  @MinLength(1)
  @MaxLength(100)
  login!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  firstName!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  lastName!: string;

  @IsEmail()
  email!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  department?: string;

  @IsOptional()
  @IsObject()
  attributes?: Record<string, string | number | boolean>;
}

/** PATCH: absent fields stay; `department: null` removes it; attributes merge key by key (null removes). */
export class UpdateIdentityDto extends CommandCallerDto {
  @IsString()
  @MinLength(1)
  identityId!: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  login?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  firstName?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  lastName?: string;

  @IsOptional()
  @IsEmail()
  email?: string;

  @IsOptional()
  @ValidateIf((_o, value) => value !== null)
  @IsString()
  @MaxLength(200)
  department?: string | null;

  @IsOptional()
  @IsObject()
  attributes?: Record<string, string | number | boolean | null>;
}

export class IdentityStatusDto extends CommandCallerDto {
  @IsString()
  @MinLength(1)
  identityId!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class DeactivateIdentityDto extends IdentityStatusDto {
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}
