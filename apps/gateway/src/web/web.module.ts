import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { ReadModelChanges } from './read-model-changes';
import { SessionController } from './session.controller';
import { SseConnections } from './sse-connections';

/** What the web console needs beyond the API: who the caller is, and live read-model changes. */
@Module({
  controllers: [SessionController, EventsController],
  providers: [ReadModelChanges, { provide: SseConnections, useFactory: () => new SseConnections() }],
})
export class WebModule {}
