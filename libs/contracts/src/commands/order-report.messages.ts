import { OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { BatchItems } from './batch.messages';

/** What the agent did in the managed system (names and timing only, never values). */
export class ConnectorCallMessage {
  @IsIn(['create-or-converge', 'modify', 'delete'])
  operation!: 'create-or-converge' | 'modify' | 'delete';

  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  target!: string;

  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  attributes!: string[];

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  group?: string;

  @IsInt()
  @Min(0)
  durationMs!: number;
}

/** The longest error text a report may carry; an agent cuts a longer one (a SCIM `detail`, say). */
export const MAX_REPORT_ERROR_LENGTH = 4000;

/** `prov.cmd.orders.report`: an agent's (or the dead-letter path's) result for one attempt of one order. */
export class OrderReportMessage {
  @IsUUID()
  assignmentId!: string;

  @IsString()
  @MinLength(1)
  orderId!: string;

  @IsInt()
  @Min(1)
  attempt!: number;

  @IsIn(['executed', 'errored'])
  outcome!: 'executed' | 'errored';

  @ValidateIf((report: OrderReportMessage) => report.outcome === 'errored')
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_REPORT_ERROR_LENGTH)
  error?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => ConnectorCallMessage)
  connectorCall?: ConnectorCallMessage;
}

/**
 * One report of a batch: the single report without the actor, which the batch carries once, and
 * with the trace context of the order it reports on (W3C `traceparent`/`tracestate`, as a single
 * report carries them in its headers), so that what `orders` records stays in the order's trace.
 */
export class OrderReportItem extends OmitType(OrderReportMessage, ['actor'] as const) {
  @IsOptional()
  @Matches(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, {
    message: 'traceparent must be a W3C trace context (version-traceid-spanid-flags)',
  })
  traceparent?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  tracestate?: string;
}

/**
 * `prov.cmd.orders.report-batch` (ADR 0054): the reports of orders an agent finished close
 * together, in one signed command; `orders` answers each item as the single report would have
 * (`BatchCommandReply<OrderReportOutcome>`).
 */
export class OrderReportBatchMessage {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @BatchItems(OrderReportItem)
  items!: OrderReportItem[];
}

/** The answer to a report. */
export interface OrderReportOutcome {
  recorded: boolean;
  /** Why nothing was recorded: the report repeats one already stored, or is for an older attempt. */
  reason?: 'already-recorded' | 'stale-attempt';
  provisioningStateCode: number;
}
