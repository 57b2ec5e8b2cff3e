/**
 * Positions in the global log ($all).
 *
 * A position is opaque to callers: they store it as a checkpoint and hand it back, never do
 * arithmetic on it (the log has gaps, so "position + 1" means nothing). Every adapter renders its
 * native position as fixed-width decimal parts, so that plain string comparison is log order.
 * That lets checkpoints live in any store that can compare text (e.g. a `COLLATE "C"` column)
 * without knowing which adapter produced them.
 */
import { InvalidPositionError } from './errors';

declare const positionBrand: unique symbol;

/** A place in the global log, exclusive when used as `after`. Compare with {@link comparePositions}. */
export type Position = string & { readonly [positionBrand]: 'Position' };

/**
 * Before the first event of the log. `after: START` and `after: undefined` both read from the
 * beginning; the empty string sorts before every real position, so comparisons need no special case.
 */
export const START = '' as Position;

/** Width of one numeric part: 2^64 - 1 has 20 decimal digits, so every unsigned 64-bit value fits. */
export const POSITION_PART_WIDTH = 20;
const MAX_PART = (1n << 64n) - 1n;
const SEPARATOR = ':';

/** Orders two positions of the same adapter: negative before, 0 equal, positive after. */
export function comparePositions(a: Position, b: Position): -1 | 0 | 1 {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

export function isStart(position: Position | undefined): boolean {
  return position === undefined || position === START;
}

/** The later of two positions; `undefined` counts as the start of the log. */
export function maxPosition(a: Position | undefined, b: Position | undefined): Position | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return comparePositions(a, b) >= 0 ? a : b;
}

/**
 * Renders unsigned 64-bit parts as a position, most significant part first. Adapters pick how many
 * parts they need (in-memory: one counter; PostgreSQL: transaction id and sequence; EventStoreDB:
 * commit and prepare).
 */
export function encodePosition(...parts: bigint[]): Position {
  if (parts.length === 0) throw new InvalidPositionError('', 'a position needs at least one part');
  return parts
    .map((part) => {
      if (part < 0n || part > MAX_PART) {
        throw new InvalidPositionError(String(part), 'each position part must be an unsigned 64-bit integer');
      }
      return part.toString().padStart(POSITION_PART_WIDTH, '0');
    })
    .join(SEPARATOR) as Position;
}

/**
 * Reads back the parts of a position made by {@link encodePosition}; `expectedParts` guards against
 * handing one adapter's checkpoint to another adapter.
 */
export function decodePosition(position: string, expectedParts: number): bigint[] {
  const parts = position.split(SEPARATOR);
  const wellFormed =
    parts.length === expectedParts && parts.every((p) => p.length === POSITION_PART_WIDTH && /^\d+$/.test(p));
  if (!wellFormed) {
    throw new InvalidPositionError(
      position,
      `expected ${expectedParts} part(s) of ${POSITION_PART_WIDTH} digits separated by '${SEPARATOR}'`,
    );
  }
  return parts.map((p) => BigInt(p));
}

/** Accepts a stored string as a position after checking its shape (e.g. a checkpoint read from a table). */
export function toPosition(value: string, expectedParts: number): Position {
  if (value === START) return START;
  decodePosition(value, expectedParts);
  return value as Position;
}
