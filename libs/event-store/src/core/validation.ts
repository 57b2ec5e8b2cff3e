/**
 * Input checks shared by every adapter, so a bad append fails the same way (and before any I/O)
 * whichever store is behind the port.
 */
import { EventValidationError } from './errors';
import type { EventData, ExpectedRevision, ReadAllOptions, ReadStreamOptions, StreamAppend } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An event after validation: id in canonical lower case, data and metadata already JSON text. */
export interface PreparedEvent {
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  dataJson: string;
  metadataJson: string;
}

export interface PreparedAppend {
  streamName: string;
  expectedRevision: ExpectedRevision;
  events: PreparedEvent[];
}

/**
 * Names beginning with `$` are EventStoreDB's system streams and event types; reserving them on
 * every adapter keeps "the global log without system events" the same set everywhere.
 */
export function validateStreamName(streamName: unknown, field = 'streamName'): string {
  if (typeof streamName !== 'string' || streamName.length === 0) {
    throw new EventValidationError(field, 'must be a non-empty string');
  }
  if (streamName.startsWith('$')) throw new EventValidationError(field, "must not start with '$' (reserved)");
  return streamName;
}

export function validateExpectedRevision(value: unknown, field = 'expectedRevision'): ExpectedRevision {
  if (value === undefined) return 'any';
  if (value === 'any' || value === 'no_stream' || value === 'stream_exists') return value;
  if (typeof value === 'bigint' && value >= 0n) return value;
  throw new EventValidationError(
    field,
    "must be 'any', 'no_stream', 'stream_exists' or a bigint revision >= 0n (numbers are not accepted)",
  );
}

/** Deleting checks only the exact revision (or nothing): "delete if it does not exist" means nothing. */
export function validateDeleteExpectedRevision(value: unknown): 'any' | bigint {
  if (value === undefined || value === 'any') return 'any';
  if (typeof value === 'bigint' && value >= 0n) return value;
  throw new EventValidationError(
    'options.expectedRevision',
    "must be 'any' or a bigint revision >= 0n when deleting",
  );
}

/** JSON text of a value, or a validation error naming the field (bigint, cycles, undefined ...). */
function toJson(value: unknown, field: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new EventValidationError(field, `cannot be stored as JSON: ${(cause as Error).message}`, { cause });
  }
  if (json === undefined)
    throw new EventValidationError(field, 'must be a JSON value (got undefined or a function)');
  return json;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function prepareAppend(
  streamName: unknown,
  events: unknown,
  expectedRevision: unknown,
): PreparedAppend {
  const name = validateStreamName(streamName);
  const expected = validateExpectedRevision(expectedRevision, 'options.expectedRevision');
  if (!Array.isArray(events) || events.length === 0) {
    throw new EventValidationError('events', 'must be a non-empty array');
  }
  const seen = new Set<string>();
  const prepared = (events as unknown[]).map((candidate, index): PreparedEvent => {
    const field = `events[${index}]`;
    if (!isPlainObject(candidate)) throw new EventValidationError(field, 'must be an object');
    const event = candidate as Partial<EventData>;
    if (typeof event.id !== 'string' || !UUID.test(event.id)) {
      throw new EventValidationError(`${field}.id`, `must be a UUID (got ${JSON.stringify(event.id)})`);
    }
    const id = event.id.toLowerCase();
    if (seen.has(id))
      throw new EventValidationError(`${field}.id`, `repeats ${id}, already used earlier in this append`);
    seen.add(id);
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new EventValidationError(`${field}.type`, 'must be a non-empty string');
    }
    if (event.type.startsWith('$'))
      throw new EventValidationError(`${field}.type`, "must not start with '$' (reserved)");
    if (event.metadata !== undefined && !isPlainObject(event.metadata)) {
      throw new EventValidationError(`${field}.metadata`, 'must be an object when given');
    }
    const metadata = event.metadata ?? {};
    return {
      id,
      type: event.type,
      data: event.data,
      metadata,
      dataJson: toJson(event.data, `${field}.data`),
      metadataJson: toJson(metadata, `${field}.metadata`),
    };
  });
  return { streamName: name, expectedRevision: expected, events: prepared };
}

/** The parts of an append over several streams (`appendToStreams`): at least one, each stream once. */
export function prepareAppends(appends: readonly StreamAppend[]): PreparedAppend[] {
  if (!Array.isArray(appends) || appends.length === 0)
    throw new EventValidationError('appends', 'must be a non-empty array');
  const streams = new Set<string>();
  return appends.map((append, index) => {
    const prepared = prepareAppend(append?.streamName, append?.events, append?.expectedRevision);
    if (streams.has(prepared.streamName))
      throw new EventValidationError(
        `appends[${index}].streamName`,
        `repeats ${prepared.streamName}: one part per stream`,
      );
    streams.add(prepared.streamName);
    return prepared;
  });
}

export interface CheckedReadStreamOptions {
  fromRevision?: bigint;
  maxCount: number;
  direction: 'forwards' | 'backwards';
}

export function checkReadStreamOptions(options: ReadStreamOptions = {}): CheckedReadStreamOptions {
  const { fromRevision, maxCount = Number.MAX_SAFE_INTEGER, direction = 'forwards' } = options;
  if (fromRevision !== undefined && (typeof fromRevision !== 'bigint' || fromRevision < 0n)) {
    throw new EventValidationError('options.fromRevision', 'must be a bigint >= 0n');
  }
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
    throw new EventValidationError('options.maxCount', 'must be a non-negative integer');
  }
  if (direction !== 'forwards' && direction !== 'backwards') {
    throw new EventValidationError('options.direction', "must be 'forwards' or 'backwards'");
  }
  return { fromRevision, maxCount, direction };
}

export const DEFAULT_READ_ALL_PAGE = 1000;

export function checkReadAllMaxCount(options: ReadAllOptions = {}): number {
  const { maxCount = DEFAULT_READ_ALL_PAGE } = options;
  if (!Number.isSafeInteger(maxCount) || maxCount <= 0) {
    throw new EventValidationError('options.maxCount', 'must be a positive integer');
  }
  return maxCount;
}
