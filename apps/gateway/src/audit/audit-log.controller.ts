import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type EventStore, InvalidPositionError, type Position } from '@prov/event-store';
import { EVENT_STORE } from '@prov/platform';
import { Roles } from '../auth/roles.decorator';
import { AuditLogQuery } from './audit-log.dto';

/**
 * The event log itself, in commit order, filtered by stream and event type, page by page: the
 * audit trail across assignments, identities, jobs and synchronizations. Read from the event
 * store, not from a read model, so it is exactly what was recorded.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/events')
export class AuditLogController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @Roles('reviewer', 'operator')
  async page(@Query() query: AuditLogQuery) {
    const page = await this.store
      .readAll({
        after: query.after as Position | undefined,
        maxCount: query.limit ?? 100,
        filter: {
          ...(query.stream ? { streamNamePrefixes: [query.stream] } : {}),
          ...(query.type ? { eventTypes: [query.type] } : {}),
        },
      })
      .catch((error: unknown) => {
        if (error instanceof InvalidPositionError) {
          throw new BadRequestException({ code: 'ValidationFailed', message: `invalid after: ${error.message}`, details: [{ field: 'after', rule: 'position', message: error.message }] });
        }
        throw error;
      });
    return {
      events: page.events.map((event) => ({
        position: event.position,
        streamName: event.streamName,
        revision: Number(event.revision),
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        recordedAt: event.createdAt.toISOString(),
      })),
      next: page.lastPosition ?? query.after ?? null,
      end: page.isEnd,
    };
  }
}
