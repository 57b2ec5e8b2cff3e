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
