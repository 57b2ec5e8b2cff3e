/**
 * Errors of the event-store port. They keep EventStoreDB's names so that code written against
 * the port reads like code written against EventStoreDB, and every adapter maps its native
 * failures onto these classes; callers never see a `pg` or gRPC error for a domain-level outcome.
 */
import type { ExpectedRevision } from './types';

/** Base class, so callers can tell store outcomes from programming errors with one `instanceof`. */
export class EventStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type ActualRevision = bigint | 'no_stream';

function describeRevision(revision: ExpectedRevision | ActualRevision): string {
  return typeof revision === 'bigint' ? `revision ${revision}` : `'${revision}'`;
}

/** The stream was not where the writer expected it: another writer got there first, or it is missing. */
export class WrongExpectedVersionError extends EventStoreError {
  constructor(
    readonly streamName: string,
    readonly expectedRevision: ExpectedRevision,
    readonly actualRevision: ActualRevision,
    options?: { cause?: unknown },
  ) {
    super(
      `stream '${streamName}': expected ${describeRevision(expectedRevision)} but the stream is at ` +
        `${describeRevision(actualRevision)}`,
      options,
    );
  }
}

/** Reading a stream that has no events, or was soft-deleted and not written since. */
export class StreamNotFoundError extends EventStoreError {
  constructor(
    readonly streamName: string,
    options?: { cause?: unknown },
  ) {
    super(`stream '${streamName}' does not exist`, options);
  }
}

/** The stream was tombstoned (hard-deleted): it can never be read or written again. */
export class StreamDeletedError extends EventStoreError {
  constructor(
    readonly streamName: string,
    options?: { cause?: unknown },
  ) {
    super(`stream '${streamName}' is deleted for good (tombstoned)`, options);
  }
}

/**
 * An append reused event ids that are already in the stream, but not as an exact retry of an
 * earlier append: either some ids are new (`partial`), or all are known but not at the
 * revisions this append would give them (`different-revisions`). Retrying it can never succeed,
 * and writing only the new ones would silently drop half of a decision, so nothing is written.
 */
export class DuplicateEventIdsError extends EventStoreError {
  constructor(
    readonly streamName: string,
    readonly reason: 'partial' | 'different-revisions',
    readonly duplicateIds: string[],
    readonly newIds: string[],
  ) {
    super(
      reason === 'partial'
        ? `stream '${streamName}': event ids ${duplicateIds.join(', ')} are already in the stream but ` +
            `${newIds.join(', ')} are not; an append must be wholly new or an exact retry`
        : `stream '${streamName}': event ids ${duplicateIds.join(', ')} are already in the stream, ` +
            `but not at the revisions this append expects; it is not a retry of the earlier append`,
    );
  }
}

/** An append was rejected before reaching the store; `field` names the offending input. */
export class EventValidationError extends EventStoreError {
  constructor(
    readonly field: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field} ${problem}`, options);
  }
}

/** A position string that this adapter did not produce (wrong shape, or another adapter's). */
export class InvalidPositionError extends EventStoreError {
  constructor(
    readonly position: string,
    problem: string,
  ) {
    super(`invalid position '${position}': ${problem}`);
  }
}

/** The store (or subscription) was closed and cannot serve more calls. */
export class EventStoreClosedError extends EventStoreError {
  constructor(what = 'event store') {
    super(`the ${what} is closed`);
  }
}
