/**
 * Data shapes of the event-store port. They follow EventStoreDB's model (0-based stream revisions,
 * opaque global positions) so that EventStoreDB can replace PostgreSQL without code changes above
 * the port.
 */
import type { Position } from './position';
import type { Pacing } from '@prov/gathering';

/**
 * The optimistic-concurrency check of an append.
 * - `'any'`: no check.
 * - `'no_stream'`: the stream must not exist (never written, or soft-deleted).
 * - `'stream_exists'`: the stream must exist.
 * - a bigint: the 0-based revision of the stream's last event, as read by the writer.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** An event to append. */
export interface EventData<Type extends string = string, Data = unknown> {
  /** A UUID chosen by the writer; reusing it on retry is what makes an append idempotent. */
  id: string;
  type: Type;
  /** Anything JSON can carry; it is stored and returned as JSON. */
  data: Data;
  metadata?: Record<string, unknown>;
}

/** An event as stored. */
export interface RecordedEvent<Type extends string = string, Data = unknown> {
  streamName: string;
  /** 0-based, gap-free within the stream. */
  revision: bigint;
  /** Where the event sits in the global log; ordered, with gaps. */
  position: Position;
  id: string;
  type: Type;
  data: Data;
  /** `{}` when the event was appended without metadata. */
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export interface AppendOptions {
  /** Defaults to `'any'`. */
  expectedRevision?: ExpectedRevision;
}

/** One stream's part of an append over several streams (`appendToStreams`). */
export interface StreamAppend {
  streamName: string;
  events: EventData[];
  /** Defaults to `'any'`. */
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** The revision of the last event now in the stream: pass it as `expectedRevision` next time. */
  nextExpectedRevision: bigint;
  /** The global position of the last appended event. */
  position: Position;
}

export type ReadDirection = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Inclusive. Defaults to the first event (forwards) or the last event (backwards). */
  fromRevision?: bigint;
  /** Defaults to the whole stream. */
  maxCount?: number;
  direction?: ReadDirection;
}

/**
 * Which events of the global log a reader wants. All given criteria must hold; within the
 * event-type criteria, matching `eventTypes` or any of `eventTypePrefixes` is enough.
 */
export interface EventFilter {
  streamNamePrefixes?: string[];
  eventTypes?: string[];
  eventTypePrefixes?: string[];
}

export interface ReadAllOptions {
  /** Exclusive. Undefined (or START) reads from the beginning of the log. */
  after?: Position;
  /** Upper bound on returned events. Defaults to 1000. */
  maxCount?: number;
  filter?: EventFilter;
}

export interface ReadAllResult {
  events: RecordedEvent[];
  /**
   * How far the read got, including events the filter dropped; pass it as `after` for the next
   * page, and checkpoint it so a restart does not rescan long runs of other events.
   * Undefined only when nothing was scanned at all.
   */
  lastPosition?: Position;
  /** True when the read reached the end of what is visible now (more may be appended later). */
  isEnd: boolean;
  /**
   * True when events already committed lie beyond what the read could show, held back by the log
   * gate behind an append still open: the next read may go further without a commit of its own
   * events. Undefined when the store does not say (the in-memory store holds nothing back).
   */
  heldBack?: boolean;
}

export interface SubscribeToAllOptions {
  /** Exclusive. Undefined (or START) replays the whole log first. */
  after?: Position;
  filter?: EventFilter;
  /** How often to look for new events when no wake-up arrives; adapters pick a default. */
  pollIntervalMs?: number;
  /**
   * Called, between events and never concurrently with the consumer's handling, when the
   * subscription has moved past events its filter dropped; lets the consumer checkpoint across
   * long stretches of events it does not care about.
   */
  onCheckpoint?: (position: Position) => void | Promise<void>;
  /**
   * How often a woken subscription reads once its burst is spent (ADR 0050); adapters that pace
   * pick a default. A consumer whose work is cheaper in fewer, fuller pages (the read-model
   * projector, ADR 0068) asks for a longer interval; reads of a catch-up are never held back.
   */
  pacing?: Pacing;
}

/**
 * A catch-up subscription: iterate it with `for await` to get the log in order, first what is
 * already there, then new events as they commit. Iterate it once. `close()` ends the iteration
 * (after the event being handled).
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface DeleteStreamOptions {
  /** Defaults to `'any'`. */
  expectedRevision?: 'any' | bigint;
}
