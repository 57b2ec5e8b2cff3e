import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { EventMetadata } from '@prov/command-handling';
import {
  type SynchronizationClaimEvent,
  synchronizationClaimState,
  synchronizationClaimStreamName,
  type SynchronizationOutcome,
} from '@prov/domain';
import {
  type EventStore,
  type RecordedEvent,
  type StreamAppend,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@prov/event-store';
import { type HeldLock, tryAdvisoryLock } from '@prov/platform';

/** How long a delivery waits for another replica's recording of the same report before it says so. */
export const WAIT_FOR_RECORDING_MS = 600_000;
/** Between looks at a recording in progress: short at first (most reports take a second or two). */
const FIRST_LOOK_MS = 100;
const LAST_LOOK_MS = 2_000;

/** What a delivery of a report gets: the first recording's outcome, or the report to record. */
export type Taken = { recorded: SynchronizationOutcome } | { claim: HeldClaim };

/**
 * Exactly one recording per synchronization, across replicas (ADR 0074). A report is claimed on
 * its own stream (`synchronization-<id>`) with the revision read, and its outcome is appended
 * there in the same append as its findings: the store lets one claim in and fences off a
 * claimant whose claim was taken over. Whether a claimant still works on a claim is its session
 * lock (`synchronization:<id>`, taken before the claim, released after the outcome): PostgreSQL
 * drops it with the claimant's connection, so a claim whose lock is free was left by a replica
 * that stopped, and is taken over at once, never after a guessed lease.
 */
export class SynchronizationClaims {
  private readonly logger = new Logger('Synchronization');

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly waitMs = WAIT_FOR_RECORDING_MS,
  ) {}

  /** The recorded outcome, or the claim; waits while another replica records the same report. */
  async take(synchronizationId: string, connectionId: string, metadata?: EventMetadata): Promise<Taken> {
    const deadline = Date.now() + this.waitMs;
    for (let look = FIRST_LOOK_MS; ; look = Math.min(LAST_LOOK_MS, look * 2)) {
      const seen = await this.read(synchronizationId, connectionId);
      if (seen.kind === 'recorded') return { recorded: seen.outcome };
      const lock = await tryAdvisoryLock(this.pool, lockName(synchronizationId));
      if (lock) {
        const taken = await this.claimUnder(lock, { synchronizationId, connectionId }, metadata);
        if (taken) return taken;
      } else if (Date.now() >= deadline) {
        throw new SynchronizationInProgressError(
          `synchronization ${synchronizationId} is still being recorded by another replica of orders ` +
            `after ${Math.round(this.waitMs / 1000)} s; send the report again to get its outcome`,
        );
      }
      await sleep(Math.min(look, Math.max(0, deadline - Date.now())));
    }
  }

  /** Under the lock nobody else records the report: read again, then claim (or answer the outcome). */
  private async claimUnder(
    lock: HeldLock,
    { synchronizationId, connectionId }: { synchronizationId: string; connectionId: string },
    metadata?: EventMetadata,
  ): Promise<Taken | undefined> {
    try {
      const state = await this.read(synchronizationId, connectionId);
      if (state.kind === 'recorded') {
        await lock.release();
        return { recorded: state.outcome };
      }
      if (state.kind === 'claimed')
        this.logger.warn({
          msg: 'synchronization claimed by a replica that stopped before recording it; recording it here',
          synchronizationId,
          claimedAt: state.claimedAt,
        });
      const streamName = synchronizationClaimStreamName(synchronizationId);
      const data = { synchronizationId, connectionId, at: new Date().toISOString() };
      const { nextExpectedRevision } = await this.store.appendToStream(
        streamName,
        [{ id: randomUUID(), type: 'SynchronizationClaimed', data, metadata }],
        { expectedRevision: state.expectedRevision },
      );
      return { claim: new HeldClaim(this.store, lock, { streamName, ...data }, nextExpectedRevision) };
    } catch (error) {
      await lock.release();
      // A lock lost under us (its connection broke) let another replica claim first: look again.
      if (error instanceof WrongExpectedVersionError) return undefined;
      throw error;
    }
  }

  /** Where the report stands; throws when its id is another connection's synchronization. */
  private async read(synchronizationId: string, connectionId: string) {
    let events: RecordedEvent[];
    try {
      events = await this.store.readStream(synchronizationClaimStreamName(synchronizationId));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return synchronizationClaimState([]);
      throw error;
    }
    const recorded = events as unknown as Array<SynchronizationClaimEvent & { revision: bigint }>;
    const state = synchronizationClaimState(recorded, recorded[recorded.length - 1]?.revision);
    if (state.connectionId !== undefined && state.connectionId !== connectionId)
      throw new SynchronizationOfAnotherConnectionError(
        `synchronization ${synchronizationId} is connection ${state.connectionId}'s, not ${connectionId}'s`,
      );
    return state;
  }
}

/** A report this replica claimed: it records it with `complete`, or gives it up with `abandon`. */
export class HeldClaim {
  constructor(
    private readonly store: EventStore,
    private readonly lock: HeldLock,
    private readonly claim: { streamName: string; synchronizationId: string; connectionId: string },
    private readonly revision: bigint,
  ) {}

  /**
   * Appends the report's events (`recording`, on the connection's stream) and the outcome on the
   * claim stream at the claim's revision, as one append where the store has `appendToStreams`:
   * false, with nothing written, when another replica took the claim over meanwhile. A store
   * without it (EventStoreDB) gets the outcome first, then the events: a crash between the two
   * loses that run's findings (the next synchronization finds them again), never records them twice.
   */
  async complete(recording: StreamAppend, outcome: SynchronizationOutcome, metadata: EventMetadata) {
    const { streamName, synchronizationId, connectionId } = this.claim;
    const recorded: StreamAppend = {
      streamName,
      events: [
        {
          id: randomUUID(),
          type: 'SynchronizationRecorded',
          data: { ...outcome, synchronizationId, connectionId, at: new Date().toISOString() },
          metadata,
        },
      ],
      expectedRevision: this.revision,
    };
    try {
      if (this.store.appendToStreams) await this.store.appendToStreams([recorded, recording]);
      else {
        await this.store.appendToStream(streamName, recorded.events, { expectedRevision: this.revision });
        await this.store.appendToStream(recording.streamName, recording.events);
      }
      return true;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError && error.streamName === streamName) return false;
      throw error;
    }
  }

  /** After a failure: the next delivery claims the report again at once. `reason`: the error's name. */
  async abandon(reason: string, metadata: EventMetadata): Promise<void> {
    const { streamName, synchronizationId, connectionId } = this.claim;
    const data = { synchronizationId, connectionId, at: new Date().toISOString(), reason };
    await this.store
      .appendToStream(streamName, [{ id: randomUUID(), type: 'SynchronizationAbandoned', data, metadata }], {
        expectedRevision: this.revision,
      })
      // Taken over, or the store away: the released lock alone lets the next delivery take it over.
      .catch(() => undefined);
  }

  release(): Promise<void> {
    return this.lock.release();
  }
}

/** The session lock a claimant holds while it records `synchronizationId` (the leadership registry's form). */
function lockName(synchronizationId: string): string {
  return `synchronization:${synchronizationId}`;
}

/** A report naming a synchronization that another connection's report claimed. */
export class SynchronizationOfAnotherConnectionError extends Error {
  override readonly name = 'SynchronizationOfAnotherConnectionError';
}

/** Another replica has been recording the same report for longer than a delivery waits. */
export class SynchronizationInProgressError extends Error {
  override readonly name = 'SynchronizationInProgressError';
}
