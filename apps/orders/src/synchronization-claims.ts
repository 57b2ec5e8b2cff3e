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
import { SYNCHRONIZATION_REPORT_TIMEOUT_MS } from '@prov/contracts';
import { ADVISORY_LOCK_CLASS, type HeldLock, isDatabaseUnavailable, tryAdvisoryLock } from '@prov/platform';
import { RecordingSlots, type ReleaseSlot } from './recording-slots';

/**
 * How long a delivery waits for a slot and for another replica's recording of the same report
 * before it says so. Below the shortest wait of a caller (the agent's and the manual import's
 * one-message reports): an answer after the caller gave up reaches nobody, and the delivery
 * would only have kept looking, a pooled connection every 2 s. The margin is for the message's
 * way and its validation before the wait starts, and the answer's way back.
 */
export const WAIT_FOR_RECORDING_MS = SYNCHRONIZATION_REPORT_TIMEOUT_MS - 15_000;
/** Between looks at a recording in progress: short at first (most reports take a second or two). */
const FIRST_LOOK_MS = 100;
const LAST_LOOK_MS = 2_000;

/** What a delivery of a report gets: the first recording's outcome, or the report to record. */
export type Taken = { recorded: SynchronizationOutcome } | { claim: HeldClaim };

export interface SynchronizationClaimsOptions {
  /** Default {@link WAIT_FOR_RECORDING_MS}. */
  waitMs?: number;
  /** Recordings at once in this process; default {@link RecordingSlots.forPool}. */
  slots?: RecordingSlots;
}

/**
 * Exactly one recording per synchronization, across replicas (ADR 0074). A report is claimed on
 * its own stream (`synchronization-<id>`) with the revision read, and its outcome is appended
 * there in the same append as its findings: the store lets one claim in and fences off a
 * claimant whose claim was taken over. Whether a claimant still works on a claim is its session
 * lock (the two-key lock of class `synchronizationClaim` on the id, taken before the claim,
 * released after the outcome): PostgreSQL drops it with the claimant's connection, so a claim
 * whose lock is free was left by a replica that stopped, and is taken over at once, never after
 * a guessed lease. A claim holds one of this process's {@link RecordingSlots} with its lock.
 */
export class SynchronizationClaims {
  private readonly logger = new Logger('Synchronization');
  private readonly waitMs: number;
  private readonly slots: RecordingSlots;

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    options: SynchronizationClaimsOptions = {},
  ) {
    this.waitMs = options.waitMs ?? WAIT_FOR_RECORDING_MS;
    this.slots = options.slots ?? RecordingSlots.forPool(pool);
  }

  /**
   * The recorded outcome, or the claim; waits while another replica records the same report, or
   * while this process records as many reports as it has slots. A database that does not answer
   * (no free connection within the pool's connect timeout, PostgreSQL away) is
   * {@link SynchronizationBusyError}: the caller may send the report again.
   */
  async take(synchronizationId: string, connectionId: string, metadata?: EventMetadata): Promise<Taken> {
    try {
      return await this.takeBy(Date.now() + this.waitMs, { synchronizationId, connectionId }, metadata);
    } catch (error) {
      throw isDatabaseUnavailable(error) ? databaseBusy(synchronizationId, error) : error;
    }
  }

  private async takeBy(
    deadline: number,
    report: { synchronizationId: string; connectionId: string },
    metadata?: EventMetadata,
  ): Promise<Taken> {
    const { synchronizationId, connectionId } = report;
    const seconds = Math.ceil(this.waitMs / 1000);
    for (let look = FIRST_LOOK_MS; ; look = Math.min(LAST_LOOK_MS, look * 2)) {
      const seen = await this.read(synchronizationId, connectionId);
      if (seen.kind === 'recorded') return { recorded: seen.outcome };
      const slot = await this.slots.acquire(deadline);
      if (!slot)
        throw new SynchronizationBusyError(
          `this replica of orders had no free recording slot (of ${this.slots.size}) for synchronization ` +
            `${synchronizationId} within ${seconds} s; send the report again`,
        );
      const lock = await lockClaim(this.pool, synchronizationId).catch((error: unknown) => {
        slot();
        throw error;
      });
      if (lock) {
        const taken = await this.claimUnder(withSlot(lock, slot), report, metadata);
        if (taken) return taken;
      } else {
        slot();
        if (Date.now() >= deadline)
          throw new SynchronizationInProgressError(
            `synchronization ${synchronizationId} is still being recorded by another replica of orders ` +
              `after ${seconds} s; send the report again to get its outcome`,
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

/**
 * The session lock a claimant holds while it records `synchronizationId`: two-key, apart from the
 * singletons' locks, so that no hash collision with a lock held for ever keeps a report waiting.
 */
export function lockClaim(pool: Pool, synchronizationId: string): Promise<HeldLock | undefined> {
  return tryAdvisoryLock(pool, synchronizationId, ADVISORY_LOCK_CLASS.synchronizationClaim);
}

/** The lock, giving the recording's slot back after it is released. */
function withSlot(lock: HeldLock, slot: ReleaseSlot): HeldLock {
  return { name: lock.name, lost: lock.lost, release: () => lock.release().finally(slot) };
}

/** A report naming a synchronization that another connection's report claimed. */
export class SynchronizationOfAnotherConnectionError extends Error {
  override readonly name = 'SynchronizationOfAnotherConnectionError';
}

/** Another replica has been recording the same report for longer than a delivery waits. */
export class SynchronizationInProgressError extends Error {
  override readonly name = 'SynchronizationInProgressError';
}

/** No database connection, or no slot for another recording, within the wait: send again shortly. */
export class SynchronizationBusyError extends Error {
  override readonly name = 'SynchronizationBusyError';
}

/** A recording of `synchronizationId` the database did not let happen (`cause`): a 503, not a 500. */
export function databaseBusy(synchronizationId: string, cause: unknown): SynchronizationBusyError {
  return new SynchronizationBusyError(
    `orders has no database connection for synchronization ${synchronizationId} right now; send the report again shortly`,
    { cause },
  );
}
