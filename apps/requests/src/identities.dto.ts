import { IsEmail, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { CommandCallerDto } from '@prov/platform';

export class RegisterIdentityDto extends CommandCallerDto {
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/, { message: 'id must be letters, digits, _ . @ - (at most 100)' })
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
