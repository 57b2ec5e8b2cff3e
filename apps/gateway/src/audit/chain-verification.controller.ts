import { Controller, Get, Inject, Query, UnprocessableEntityException } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { type EventStore, keepsHashChain } from '@prov/event-store';
import { EVENT_STORE } from '@prov/platform';
import { Roles } from '../auth/roles.decorator';

export class ChainVerificationQuery {
  @IsOptional()
  @IsString()
  @MaxLength(512)
  stream?: string;
}

/**
 * Tamper evidence (ADR 0016): recomputes every stream's hash chain, or one stream's, and names
 * the first event whose stored hash no longer matches its content and its predecessor. Admin
 * and auditor only: it reads the whole store.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/verify')
export class ChainVerificationController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @Roles('auditor')
  @ApiQuery({ name: 'stream', required: false, description: 'check this stream only' })
  async verify(@Query() query: ChainVerificationQuery) {
    if (!keepsHashChain(this.store)) {
      throw new UnprocessableEntityException({
        error: 'ChainNotKept',
        message: 'the configured event store keeps no hash chain (ADR 0026)',
      });
    }
    const result = await this.store.verifyChain(
      query.stream === undefined ? {} : { streamName: query.stream },
    );
    return {
      ok: result.ok,
      streamsChecked: result.streamsChecked,
      eventsChecked: result.eventsChecked,
      firstBreak: result.firstBreak
        ? {
            streamName: result.firstBreak.streamName,
            revision: Number(result.firstBreak.revision),
            eventId: result.firstBreak.eventId,
          }
        : null,
    };
  }
}
