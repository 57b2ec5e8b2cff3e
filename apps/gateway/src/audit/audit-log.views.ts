import { ApiProperty } from '@nestjs/swagger';

const OBJECT = { type: 'object', additionalProperties: true } as const;

/** An entry of the audit log, as `GET /api/audit/events` answers and the export writes it (OpenAPI only). */
export class AuditEventView {
  @ApiProperty({ description: 'the position in the log; pass a page’s `next` back as `after`' })
  position!: string;

  @ApiProperty({ example: 'assignment-2f6c…' })
  streamName!: string;

  @ApiProperty()
  revision!: number;

  @ApiProperty({ example: 'ProvisioningOrderApproved' })
  type!: string;

  @ApiProperty({ type: String, nullable: true, description: "the metadata's actor" })
  actor!: string | null;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty(OBJECT)
  data!: Record<string, unknown>;

  @ApiProperty(OBJECT)
  metadata!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  recordedAt!: string;
}

export class AuditLogPageView {
  @ApiProperty({ type: [AuditEventView] })
  events!: AuditEventView[];

  @ApiProperty({ type: String, nullable: true, description: 'where the next page starts (`after`)' })
  next!: string | null;

  @ApiProperty({ description: 'true when the log ends with this page' })
  end!: boolean;
}
