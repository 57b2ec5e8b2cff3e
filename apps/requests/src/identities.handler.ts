import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { commandMetadata, handleCommand } from '@prov/command-handling';
import { identityDecider, identityStreamName } from '@prov/domain';
import type { EventStore } from '@prov/event-store';
import { commandSubject } from '@prov/messaging';
import { EVENT_STORE } from '@prov/platform';
import { RegisterIdentityDto } from './identities.dto';

@Controller()
export class IdentitiesHandler {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Registers an identity; registering the same identity again with the same data changes nothing. */
  @MessagePattern(commandSubject('requests', 'register-identity'))
  async register(@Payload() dto: RegisterIdentityDto): Promise<{ identityId: string; created: boolean }> {
    const now = new Date();
    const identityId = dto.id ?? randomUUID();
    const outcome = await handleCommand(
      this.store,
      identityDecider,
      identityStreamName(identityId),
      {
        type: 'RegisterIdentity',
        identityId,
        login: dto.login,
        firstName: dto.firstName,
        lastName: dto.lastName,
        email: dto.email,
        department: dto.department,
        attributes: dto.attributes,
        now,
        actor: dto.actor,
      },
      { metadata: commandMetadata(dto, now) },
    );
    return { identityId, created: outcome.events.length > 0 };
  }
}
