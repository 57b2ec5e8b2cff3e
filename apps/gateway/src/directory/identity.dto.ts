import { CursorQuery, LimitField } from '../http/paging';
import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import {
  CALLER_FIELDS,
  DeactivateIdentityMessage,
  IdentityStatusMessage,
  RegisterIdentityMessage,
  UpdateIdentityMessage,
} from '@prov/contracts';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { Type } from 'class-transformer';

/** The request bodies are the bus messages without the caller and the identity the path names. */
export class RegisterIdentityBody extends OmitType(RegisterIdentityMessage, CALLER_FIELDS) {}

export class IdentitySearchQuery extends CursorQuery {
  @ApiPropertyOptional({ description: 'matches login, names and email' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @LimitField(1000, { default: 100 })
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
export class UpdateIdentityBody extends OmitType(UpdateIdentityMessage, [...CALLER_FIELDS, 'identityId']) {}

export class IdentityStatusBody extends OmitType(IdentityStatusMessage, [...CALLER_FIELDS, 'identityId']) {}

export class DeactivateIdentityBody extends OmitType(DeactivateIdentityMessage, [
  ...CALLER_FIELDS,
  'identityId',
]) {}
