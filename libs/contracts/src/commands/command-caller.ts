import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Who sends a command and in which conversation: goes onto the events' metadata. */
export class CommandCallerDto {
  @IsString()
  @MaxLength(200)
  actor!: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  correlationId?: string;
}

/**
 * The fields the gateway fills in itself (from the signed-in caller and the request's id), never
 * from a request body: a body type is its message without them.
 */
export const CALLER_FIELDS = ['actor', 'correlationId'] as const;
