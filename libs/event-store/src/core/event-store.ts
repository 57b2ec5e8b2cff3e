/**
 * The event-store port (docs/architecture.md §4). Services depend on this interface only; the adapters
 * (PostgreSQL, EventStoreDB, in-memory) are chosen at wiring time and all pass the same contract
 * suite (`@prov/event-store/testing`).
 */
import type {
  AppendOptions,
  AppendResult,
  DeleteStreamOptions,
  EventData,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeToAllOptions,
  Subscription,
} from './types';
import type { EventValidationError, StreamDeletedError, StreamNotFoundError } from './errors';

/** One stream of a `readStreams` call: its events in revision order, or why there are none. */
export type StreamRead = RecordedEvent[] | StreamNotFoundError | StreamDeletedError | EventValidationError;

export interface EventStore {
  /**
   * Appends events atomically after checking `expectedRevision` (default `'any'`).
   *
   * Re-appending events whose ids are all already in the stream, at the same revisions, is a
   * retry: it returns the original result and writes nothing, whatever the expected revision.
   *
   * @throws WrongExpectedVersionError the stream is not at the expected revision
   * @throws StreamDeletedError the stream was tombstoned
   * @throws DuplicateEventIdsError some ids are already in the stream, but this is no exact retry
   * @throws EventValidationError an id is not a UUID, a type or the stream name is empty, ...
   */
  appendToStream(streamName: string, events: EventData[], options?: AppendOptions): Promise<AppendResult>;

  /**
   * Appends to several streams as one: every part is checked as `appendToStream` checks it
   * (expected revision, tombstone, ids), and either every part is written or none is. Results in
   * the order given. A part whose ids are all already in its stream at the same revisions is a
   * retry of it (its original result, nothing written), as in `appendToStream`. Optional: an
   * adapter that has it commits the parts together (one round trip for PostgreSQL); without it,
   * a caller that needs the parts together must do without (ADR 0061).
   *
   * @throws the error `appendToStream` would throw for the first part, in the order given, that
   *   is refused; nothing is written then
   * @throws EventValidationError no parts, or two parts for one stream
   */
  appendToStreams?(appends: readonly StreamAppend[]): Promise<AppendResult[]>;

  /**
   * Reads one stream in revision order (or reverse).
   *
   * @throws StreamNotFoundError the stream has no events or was soft-deleted
   * @throws StreamDeletedError the stream was tombstoned
   */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /**
   * Reads whole streams at once, each answered as `readStream(name)` would answer it: its events,
   * or the error it would throw (one invalid name fails only its own read). Optional: an adapter that has it reads them in one round trip;
   * without it, callers read the streams one by one.
   */
  readStreams?(streamNames: readonly string[]): Promise<StreamRead[]>;

  /**
   * Reads one page of the global log in commit order. An event whose transaction commits late is
   * never skipped: the log only shows a prefix that can no longer change.
   */
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;

  /** Follows the global log from `after`: catch-up, then live. See {@link Subscription}. */
  subscribeToAll(options?: SubscribeToAllOptions): Subscription;

  /**
   * Soft delete: reads report StreamNotFoundError; appending again recreates the stream and
   * continues its revision numbers (only the new events are read back). Deleting a stream that
   * does not exist does nothing. The events stay in the global log.
   */
  deleteStream(streamName: string, options?: DeleteStreamOptions): Promise<void>;

  /** Hard delete: every later read or append of the stream fails with StreamDeletedError. */
  tombstoneStream(streamName: string, options?: DeleteStreamOptions): Promise<void>;

  /** Ends open subscriptions and releases connections this store owns. */
  close(): Promise<void>;
}
