/**
 * What the in-memory event store keeps: the streams and the log of every event, as JSON text
 * (parsed again on every read), and the check of an append's expected revision.
 */
import {
  CHAIN_START,
  type ExpectedRevision,
  type Position,
  type RecordedEvent,
  WrongExpectedVersionError,
} from '../core';
import { ChangeSignal } from '../core/log-subscription';

export interface StoredEvent {
  streamName: string;
  revision: bigint;
  position: Position;
  id: string;
  type: string;
  dataJson: string;
  metadataJson: string;
  createdAt: Date;
  /** The chain link (hex), computed at append; tests may change the other fields to tamper. */
  hash: string;
}

export interface StreamState {
  /** Revision of the last event ever written; -1n before the first. Survives a soft delete. */
  revision: bigint;
  /** Soft delete hides revisions below this. */
  truncateBefore: bigint;
  tombstoned: boolean;
  events: StoredEvent[];
  revisionById: Map<string, bigint>;
  /** The last event's hash: survives a soft delete, so a recreated stream continues its chain. */
  lastHash: string;
}

/** A stream before its first event. */
export function newStream(): StreamState {
  return {
    revision: -1n,
    truncateBefore: 0n,
    tombstoned: false,
    events: [],
    revisionById: new Map(),
    lastHash: CHAIN_START,
  };
}

/**
 * The data behind one or more {@link InMemoryEventStore} instances. Handing the same log to a new
 * store simulates a process restart against the same database.
 */
export class InMemoryEventLog {
  readonly streams = new Map<string, StreamState>();
  readonly all: StoredEvent[] = [];
  readonly changes = new ChangeSignal();
}

export const exists = (stream: StreamState | undefined): stream is StreamState =>
  stream !== undefined && stream.revision >= stream.truncateBefore;

export function toRecorded(stored: StoredEvent): RecordedEvent {
  return {
    streamName: stored.streamName,
    revision: stored.revision,
    position: stored.position,
    id: stored.id,
    type: stored.type,
    data: JSON.parse(stored.dataJson),
    metadata: JSON.parse(stored.metadataJson),
    createdAt: new Date(stored.createdAt),
  };
}

export function checkExpected(
  streamName: string,
  stream: StreamState | undefined,
  expected: ExpectedRevision,
): void {
  const found = exists(stream);
  const actual = found ? stream.revision : 'no_stream';
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && !found) ||
    (expected === 'stream_exists' && found) ||
    // An exact revision also recreates a soft-deleted stream, as in EventStoreDB.
    (typeof expected === 'bigint' && stream !== undefined && stream.revision === expected);
  if (!ok) throw new WrongExpectedVersionError(streamName, expected, actual);
}
