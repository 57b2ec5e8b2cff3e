import { Inject, Injectable } from '@nestjs/common';
import { type EventMetadata, handleCommand, loadStream } from '@prov/command-handling';
import {
  identityDecider,
  identityStreamName,
  loginReservationDecider,
  loginStreamName,
  LoginTakenError,
} from '@prov/domain';
import type { EventStore } from '@prov/event-store';
import { EVENT_STORE } from '@prov/platform';

/** A reservation of an identity that does not exist yet is its registration in flight, for this long. */
const REGISTRATION_GRACE_MS = 60_000;

interface Caller {
  actor: string;
  now: Date;
  metadata: EventMetadata;
}

/**
 * Logins are unique among active identities: an identity reserves its login in the login's own
 * stream (expected revision), before it is registered or renamed, and frees it when it leaves
 * or changes login. A reservation whose holder no longer uses the login (a crash between the two
 * writes, a deactivated holder) is passed over rather than blocking the login for ever.
 */
@Injectable()
export class LoginReservations {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async reserve(login: string, identityId: string, caller: Caller): Promise<void> {
    const command = {
      type: 'ReserveLogin' as const,
      login,
      identityId,
      now: caller.now,
      actor: caller.actor,
    };
    try {
      await this.run(command, caller.metadata);
    } catch (error) {
      if (
        !(error instanceof LoginTakenError) ||
        !(await this.isStale(login, error.holderIdentityId, caller.now))
      ) {
        throw error;
      }
      await this.run({ ...command, staleHolderIdentityId: error.holderIdentityId }, caller.metadata);
    }
  }

  async release(login: string, identityId: string, caller: Caller): Promise<void> {
    await this.run(
      { type: 'ReleaseLogin', login, identityId, now: caller.now, actor: caller.actor },
      caller.metadata,
    );
  }

  private run(
    command: Parameters<typeof loginReservationDecider.decide>[0],
    metadata: EventMetadata,
  ): Promise<unknown> {
    return handleCommand(this.store, loginReservationDecider, loginStreamName(command.login), command, {
      metadata,
    });
  }

  private async isStale(login: string, holderId: string, now: Date): Promise<boolean> {
    const holder = (await loadStream(this.store, identityDecider, identityStreamName(holderId))).state;
    if (holder.exists) return !holder.active || holder.login.toLowerCase() !== login.trim().toLowerCase();
    const { events } = await loadStream(this.store, loginReservationDecider, loginStreamName(login));
    const reservedAt = Date.parse(String((events.at(-1)?.data as { at?: string } | undefined)?.at));
    return Number.isFinite(reservedAt) && now.getTime() - reservedAt > REGISTRATION_GRACE_MS;
  }
}
