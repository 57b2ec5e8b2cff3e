import { BadRequestException, Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditLogPageView } from './audit-log.views';
import type { Response } from 'express';
import { type EventStore, InvalidPositionError, type Position, type ReadAllResult } from '@prov/event-store';
import { EVENT_STORE } from '@prov/platform';
import { Roles } from '../auth/roles.decorator';
import { AUDIT_CSV_COLUMNS, auditCsvLine, auditEntry, matchesAudit } from './audit-filter';
import { AuditExportQuery, AuditLogQuery } from './audit-log.dto';

/** Pages of the log one request scans at most for the actor and time criteria before it answers. */
const SCAN_PAGES = 20;
const SCAN_PAGE_SIZE = 1000;

/**
 * The event log itself, in commit order, filtered by stream, event type, actor and time, page by
 * page: the audit trail across assignments, identities, jobs, synchronizations and role-model
 * versions. Read from the event store, not from a read model, so it is exactly what was recorded.
 * Actor and time are applied here while scanning: a page may hold fewer events than asked for
 * (even none) with `end: false`; its `next` still moves on.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/events')
export class AuditLogController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @Roles('reviewer', 'operator', 'auditor')
  @ApiOkResponse({ type: AuditLogPageView })
  async page(@Query() query: AuditLogQuery) {
    const limit = query.limit ?? 100;
    const events: ReturnType<typeof auditEntry>[] = [];
    let after = query.after as Position | undefined;
    let end = false;
    for (let scanned = 0; scanned < SCAN_PAGES && events.length < limit && !end; scanned++) {
      const page = await this.read(query, after, limit - events.length);
      events.push(...page.events.filter((e) => matchesAudit(e, query)).map(auditEntry));
      after = page.lastPosition ?? after;
      end = page.isEnd;
    }
    return { events, next: after ?? null, end };
  }

  /** The whole filtered log as JSON lines or CSV, written page by page as it is read (never held whole). */
  @Get('export')
  @Roles('reviewer', 'operator', 'auditor')
  async export(@Query() query: AuditExportQuery, @Res() response: Response): Promise<void> {
    const csv = query.format === 'csv';
    const first = await this.read(query, query.after as Position | undefined, SCAN_PAGE_SIZE);
    response.status(200);
    response.setHeader(
      'content-type',
      csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    );
    response.setHeader('content-disposition', `attachment; filename="audit-log.${csv ? 'csv' : 'jsonl'}"`);
    if (csv) response.write(auditCsvLine(Object.fromEntries(AUDIT_CSV_COLUMNS.map((c) => [c, c])) as never));
    let page: ReadAllResult = first;
    for (;;) {
      for (const event of page.events) {
        if (!matchesAudit(event, query)) continue;
        const entry = auditEntry(event);
        const line = csv ? auditCsvLine(entry) : `${JSON.stringify(entry)}\n`;
        // Back-pressure: a slow client slows the reading, the log is never buffered whole.
        if (!response.write(line)) await new Promise((resolve) => response.once('drain', resolve));
      }
      if (page.isEnd || !page.lastPosition) break;
      page = await this.read(query, page.lastPosition, SCAN_PAGE_SIZE);
    }
    response.end();
  }

  private read(query: AuditLogQuery, after: Position | undefined, maxCount: number): Promise<ReadAllResult> {
    return this.store
      .readAll({
        after,
        maxCount,
        filter: {
          ...(query.stream ? { streamNamePrefixes: [query.stream] } : {}),
          ...(query.type ? { eventTypes: [query.type] } : {}),
        },
      })
      .catch((error: unknown) => {
        if (error instanceof InvalidPositionError) {
          throw new BadRequestException({
            code: 'ValidationFailed',
            message: `invalid after: ${error.message}`,
            details: [{ field: 'after', rule: 'position', message: error.message }],
          });
        }
        throw error;
      });
  }
}
