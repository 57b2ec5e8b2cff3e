import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { CALLER_FIELDS, RequestAssignmentMessage, RevokeAssignmentMessage } from '@prov/contracts';
import { CursorQuery, LimitField } from '../http/paging';
import { IsIn, IsISO8601, IsOptional, IsString } from 'class-validator';
import { PROVISIONING_STATE_CODES, PROVISIONING_STATE_NAMES, type ProvisioningStateName } from '@prov/domain';

/** The request's body: the bus message without the caller, which the gateway fills in. */
export class RequestAssignmentBody extends OmitType(RequestAssignmentMessage, CALLER_FIELDS) {}

/** The assignment comes from the path. */
export class RevokeAssignmentBody extends OmitType(RevokeAssignmentMessage, [
  ...CALLER_FIELDS,
  'assignmentId',
]) {}

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

  @LimitField(5000, { default: 500, description: 'rows per page (1-5000)' })
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
