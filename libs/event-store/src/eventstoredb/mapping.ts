/**
 * Translation between `@eventstore/db-client` 6.2.1 and the port. Everything that knows the
 * client's types lives in this folder, so a move to the KurrentDB client (which renames
 * `expectedRevision` to `streamState`) touches nothing else.
 */
import {
  type AppendExpectedRevision,
  type Filter,
  type Position as EsdbPosition,
  START as ESDB_START,
  StreamDeletedError as EsdbStreamDeletedError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
} from '@eventstore/db-client';
import {
  type EventFilter,
  EventStoreError,
  type ExpectedRevision,
  type Position,
  type RecordedEvent,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  decodePosition,
  encodePosition,
  isStart,
  matchesFilter,
} from '../core';
import { callerMetadata } from './chain';

/** (commit, prepare), each padded, so that text order is EventStoreDB's log order. */
export function toPortPosition(position: EsdbPosition): Position {
  return encodePosition(position.commit, position.prepare);
}

export function toEsdbPosition(position: Position | undefined): EsdbPosition | typeof ESDB_START {
  if (isStart(position)) return ESDB_START;
  const [commit, prepare] = decodePosition(position!, 2);
  return { commit, prepare };
}

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  // The client's constants are these very strings; bigint passes through unchanged.
  return expected;
}

/** The parts of the client's recorded event the adapter reads (the client's own type is a deep conditional). */
export interface EsdbEventLike {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  created: Date;
  data: unknown;
  metadata: unknown;
  position?: EsdbPosition;
}

/** System events ($metadata, $streamDeleted, projections' links ...) are never part of the port's log. */
export function isSystemEvent(event: { type: string; streamId: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

export function wanted(filter: EventFilter | undefined, event: EsdbEventLike): boolean {
  return !isSystemEvent(event) && matchesFilter(filter, { streamName: event.streamId, type: event.type });
}

export function toRecordedEvent(event: EsdbEventLike, fallbackCommit?: bigint): RecordedEvent {
  const position =
    event.position ??
    (fallbackCommit !== undefined ? { commit: fallbackCommit, prepare: fallbackCommit } : undefined);
  if (!position) {
    // Servers before 22.6 do not return positions on stream reads.
    throw new EventStoreError(
      `EventStoreDB returned event ${event.id} without a position (server 22.6 or later needed)`,
    );
  }
  const metadata = event.metadata;
  return {
    streamName: event.streamId,
    revision: event.revision,
    position: toPortPosition(position),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata:
      typeof metadata === 'object' &&
      metadata !== null &&
      !Array.isArray(metadata) &&
      !(metadata instanceof Uint8Array)
        ? callerMetadata(metadata as Record<string, unknown>)
        : {},
    createdAt: event.created,
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The server-side part of a filter. The server takes one criterion per subscription, so with both
 * stream and type criteria it filters on type and the adapter checks the stream name itself
 * (every event is checked client-side with {@link wanted} anyway). Without a filter, system
 * events are excluded, which is also what gives us checkpoints across long filtered-out runs.
 */
export function toServerFilter(
  filter: EventFilter | undefined,
  checkpointReached: (position: EsdbPosition) => void,
): Filter {
  const callbacks = {
    checkpointReached: (_subscription: unknown, position: EsdbPosition) => checkpointReached(position),
  };
  if (filter?.eventTypes || filter?.eventTypePrefixes) {
    const alternatives = [
      ...(filter.eventTypes ?? []).map((type) => `${escapeRegex(type)}$`),
      ...(filter.eventTypePrefixes ?? []).map(escapeRegex),
    ];
    return eventTypeFilter({ regex: `^(?:${alternatives.join('|')})`, ...callbacks });
  }
  if (filter?.streamNamePrefixes)
    return streamNameFilter({ prefixes: filter.streamNamePrefixes, ...callbacks });
  return excludeSystemEvents(callbacks);
}

/** Maps the client's errors to the port's; anything else (unavailable, access denied ...) passes through. */
export function mapEsdbError(
  error: unknown,
  context: { streamName: string; expectedRevision?: ExpectedRevision },
): never {
  if (error instanceof EsdbWrongExpectedVersionError) {
    throw new WrongExpectedVersionError(
      context.streamName,
      context.expectedRevision ?? (error.expectedVersion as ExpectedRevision),
      error.actualVersion,
      { cause: error },
    );
  }
  if (error instanceof EsdbStreamNotFoundError)
    throw new StreamNotFoundError(context.streamName, { cause: error });
  if (error instanceof EsdbStreamDeletedError)
    throw new StreamDeletedError(context.streamName, { cause: error });
  throw error;
}
