/**
 * Translation between PostgreSQL rows/errors and the port's types. `pg` hands bigint and xid8
 * columns over as strings (a JS number would lose precision), so they become BigInt here.
 */
import {
  DuplicateEventIdsError,
  EventValidationError,
  InvalidPositionError,
  StreamDeletedError,
  WrongExpectedVersionError,
  POSITION_PART_WIDTH,
  decodePosition,
  type ExpectedRevision,
  type Position,
  type RecordedEvent,
} from '../core';
import { SQLSTATE } from './schema/migrations';

/**
 * A position is (transaction id, global position): the order in which the log is read. Both come
 * from PostgreSQL as canonical unsigned decimal text, so padding the text gives exactly what
 * encodePosition would, without two BigInt round trips per row of every page.
 */
export function toPgPosition(transactionId: string, globalPosition: string): Position {
  return `${transactionId.padStart(POSITION_PART_WIDTH, '0')}:${globalPosition.padStart(POSITION_PART_WIDTH, '0')}` as Position;
}

/** The largest values the columns hold: xid8 is unsigned 64-bit, the identity column a signed bigint. */
const MAX_XID8 = 2n ** 64n - 1n;
const MAX_BIGINT = 2n ** 63n - 1n;

export function fromPgPosition(position: Position): { transactionId: string; globalPosition: string } {
  const [transactionId, globalPosition] = decodePosition(position, 2);
  // A well-formed but out-of-range position (20 digits allow more than 64 bits) would otherwise
  // reach PostgreSQL and fail there as an error of the store rather than of the caller's input.
  if (transactionId > MAX_XID8 || globalPosition > MAX_BIGINT) {
    throw new InvalidPositionError(position, 'a part is larger than the log can hold');
  }
  return { transactionId: transactionId.toString(), globalPosition: globalPosition.toString() };
}

/**
 * The columns every event query selects, aliased to the names {@link toRecordedEvent} reads.
 * With `payloadWhen`, a row not meeting that SQL condition comes back with its position and id
 * only: its stream, type, payload and time are left out, since the page uses no more of it (ADR
 * 0084). Its time above all: parsing the timestamp was most of such a row's cost in the client,
 * and a filtered read of the log drops most of the rows it scans.
 */
export function eventColumns(payloadWhen?: string): string {
  const when = (column: string, alias: string) =>
    payloadWhen ? `CASE WHEN ${payloadWhen} THEN ${column} END AS ${alias}` : `${column} AS ${alias}`;
  return `${when('e.stream_name', 'stream_name')}, ${when('e.stream_revision::text', 'stream_revision')},
    e.transaction_id::text AS transaction_id, e.global_position::text AS global_position,
    e.event_id::text AS event_id, ${when('e.event_type', 'event_type')}, ${when('e.data', 'data')},
    ${when('e.metadata', 'metadata')}, ${when('e.created_at', 'created_at')}`;
}

export interface EventRow {
  stream_name: string;
  stream_revision: string;
  transaction_id: string;
  global_position: string;
  event_id: string;
  event_type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  created_at: Date;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamName: row.stream_name,
    revision: BigInt(row.stream_revision),
    position: toPgPosition(row.transaction_id, row.global_position),
    id: row.event_id,
    type: row.event_type,
    data: row.data,
    metadata: row.metadata ?? {},
    createdAt: row.created_at,
  };
}

export function expectedRevisionParameter(expected: ExpectedRevision): string {
  return typeof expected === 'bigint' ? expected.toString() : expected;
}

interface PgError {
  code?: string;
  detail?: string;
  message?: string;
}

function isPgError(error: unknown): error is PgError {
  return typeof error === 'object' && error !== null && 'code' in error;
}

/** Maps the SQLSTATEs of the `es` functions (and bad JSON input) to port errors; anything else is rethrown. */
export function mapAppendError(
  error: unknown,
  context: { streamName: string; expectedRevision: ExpectedRevision; ids: string[] },
): never {
  if (!isPgError(error)) throw error;
  switch (error.code) {
    case SQLSTATE.wrongExpectedVersion:
      throw new WrongExpectedVersionError(
        context.streamName,
        context.expectedRevision,
        error.detail === 'no_stream' || error.detail === undefined ? 'no_stream' : BigInt(error.detail),
        { cause: error },
      );
    case SQLSTATE.streamDeleted:
      throw new StreamDeletedError(context.streamName, { cause: error });
    case SQLSTATE.duplicateEventIds: {
      // DETAIL lists the ids the stream already holds; the rest of the batch is new.
      const known = new Set<string>(JSON.parse(error.detail ?? '[]') as string[]);
      throw new DuplicateEventIdsError(
        context.streamName,
        error.message === 'partial' ? 'partial' : 'different-revisions',
        context.ids.filter((id) => known.has(id)),
        context.ids.filter((id) => !known.has(id)),
      );
    }
    case '22P05': // unsupported Unicode escape (\u0000 has no place in jsonb)
    case '22P02': // invalid text representation
      throw new EventValidationError('events', `were rejected by PostgreSQL: ${error.message}`, {
        cause: error,
      });
    default:
      throw error;
  }
}
