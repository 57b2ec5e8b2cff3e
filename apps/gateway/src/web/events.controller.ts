import { Controller, Get, Optional, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AllowQueryToken, Roles } from '../auth/roles.decorator';
import type { AuthenticatedRequest } from '../auth/api-token.guard';
import { type ChangeSignal, ReadModelChanges, type ReadModelChange } from './read-model-changes';
import { SSE_RETRY_AFTER_SECONDS, SseConnections } from './sse-connections';

/** A comment line every 15 s keeps proxies and the browser from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;
/** Changes are gathered this long and sent as one message: a burst becomes one refresh. */
const COALESCE_MS = 100;

/**
 * Live updates for the console: server-sent events announcing every committed read-model
 * change, so pages refresh what they show without reloading. EventSource cannot set headers,
 * so this route (and only this one) also accepts the token as `?access_token=`.
 */
@ApiTags('live updates')
@ApiBearerAuth()
@Controller('events')
export class EventsController {
  constructor(
    private readonly changes: ReadModelChanges,
    @Optional() private readonly connections: SseConnections = new SseConnections(),
  ) {}

  @Get()
  @Roles('requester', 'reviewer', 'operator', 'auditor')
  @AllowQueryToken()
  @ApiOperation({
    summary:
      'Server-sent events: `change` {schema, streamNames, type, truncated} for each committed read-model change, `resync` when changes may have been missed',
  })
  @ApiQuery({
    name: 'access_token',
    required: false,
    description: 'the bearer token, for clients that cannot set headers (EventSource)',
  })
  stream(@Req() request: Request, @Res() response: Response): void {
    let release: () => void;
    try {
      release = this.connections.open(
        (request as unknown as AuthenticatedRequest).caller?.actor ?? 'anonymous',
      );
    } catch (error) {
      response.setHeader('Retry-After', String(SSE_RETRY_AFTER_SECONDS));
      throw error;
    }
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('Connection', 'keep-alive');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    request.socket.setKeepAlive(true);
    request.socket.setNoDelay(true);
    // The browser reconnects after 3 s when the stream breaks; `ready` tells it the stream is live.
    response.write(`retry: 3000\nevent: ready\ndata: {}\n\n`);

    let pending: ReadModelChange[] = [];
    let resync = false;
    let flushTimer: NodeJS.Timeout | undefined;
    const flush = () => {
      flushTimer = undefined;
      if (response.writableEnded) return;
      // Back-pressure: a client that does not read gets nothing more until its socket drains,
      // then one `resync` (its page reloads what it shows) instead of a growing backlog.
      if (response.writableNeedDrain) {
        resync = true;
        pending = [];
        return;
      }
      if (resync) response.write(`event: resync\ndata: {}\n\n`);
      else if (pending.length)
        response.write(`event: change\ndata: ${JSON.stringify({ changes: pending })}\n\n`);
      pending = [];
      resync = false;
    };
    const unsubscribe = this.changes.subscribe((signal: ChangeSignal) => {
      if (signal.kind === 'closing') return cleanUp();
      if (signal.kind === 'resync' || pending.length >= 200) resync = true;
      else pending.push(signal.change);
      flushTimer ??= setTimeout(flush, COALESCE_MS);
    });
    const heartbeat = setInterval(() => {
      if (!response.writableEnded && !response.writableNeedDrain)
        response.write(`: heartbeat ${new Date().toISOString()}\n\n`);
    }, HEARTBEAT_MS);
    const drained = () => {
      if (resync || pending.length) flushTimer ??= setTimeout(flush, COALESCE_MS);
    };
    response.on('drain', drained);

    let cleaned = false;
    const cleanUp = () => {
      if (cleaned) return;
      cleaned = true;
      release();
      clearInterval(heartbeat);
      clearTimeout(flushTimer);
      unsubscribe();
      if (!response.writableEnded) response.end();
    };
    request.on('close', cleanUp);
    response.on('close', cleanUp);
    response.on('error', cleanUp);
  }
}
