/**
 * The one definition of what an {@link EventFilter} lets through. PostgreSQL translates it to SQL
 * and EventStoreDB to a server-side filter, but both also run this check so the three adapters
 * cannot drift apart.
 */
import { EventValidationError } from './errors';
import type { Position } from './position';
import type { EventFilter, ReadAllResult, RecordedEvent } from './types';

/** True when the filter has no criteria, so callers can skip filtering work altogether. */
export function isEmptyFilter(filter: EventFilter | undefined): boolean {
  return (
    !filter ||
    (filter.streamNamePrefixes === undefined &&
      filter.eventTypes === undefined &&
      filter.eventTypePrefixes === undefined)
  );
}

/**
 * An empty list would match nothing, which is almost certainly a bug in the caller (an unset
 * configuration value), not a wish to read no events at all.
 */
export function checkFilter(filter: EventFilter | undefined): EventFilter | undefined {
  if (isEmptyFilter(filter)) return undefined;
  for (const key of ['streamNamePrefixes', 'eventTypes', 'eventTypePrefixes'] as const) {
    const list = filter?.[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== 'string')) {
      throw new EventValidationError(`filter.${key}`, 'must be a non-empty array of strings when given');
    }
  }
  return filter;
}

export function matchesFilter(
  filter: EventFilter | undefined,
  event: { streamName: string; type: string },
): boolean {
  if (!filter) return true;
  const { streamNamePrefixes, eventTypes, eventTypePrefixes } = filter;
  if (streamNamePrefixes && !streamNamePrefixes.some((prefix) => event.streamName.startsWith(prefix))) {
    return false;
  }
  if (eventTypes || eventTypePrefixes) {
    const exact = eventTypes?.includes(event.type) ?? false;
    const prefixed = eventTypePrefixes?.some((prefix) => event.type.startsWith(prefix)) ?? false;
    if (!exact && !prefixed) return false;
  }
  return true;
}

/**
 * With a filter, a page scans more of the log than it returns, so that a selective filter still
 * makes progress (and moves `lastPosition`) at a useful pace.
 */
export const FILTERED_SCAN_WINDOW = 2000;

export function scanLimitFor(maxCount: number, filter: EventFilter | undefined): number {
  return filter ? Math.max(maxCount, FILTERED_SCAN_WINDOW) : maxCount;
}

/**
 * Turns a scanned window of the log (in log order, at most `scanLimit` rows) into a page: the
 * matching events up to `maxCount`, and how far the scan really got, so that filtered-out events
 * still move the caller's checkpoint. A row's position is asked for (`positionOf`) only where the
 * page ends, so that an adapter whose rows hold it in parts builds it once per page, not per row.
 * An adapter whose server leaves out rows the page does not need (every row it scanned but the
 * page's events and the last) says how many it scanned (`scanned`).
 */
export function collectPage<Row>(
  rows: Row[],
  scanLimit: number,
  maxCount: number,
  matches: (row: Row) => boolean,
  toEvent: (row: Row) => RecordedEvent,
  positionOf: (row: Row) => Position,
  scanned = rows.length,
): ReadAllResult {
  const events: RecordedEvent[] = [];
  const reachedEnd = scanned < scanLimit;
  for (let index = 0; index < rows.length; index += 1) {
    const row = rows[index];
    if (!matches(row)) continue;
    events.push(toEvent(row));
    if (events.length === maxCount) {
      return { events, lastPosition: positionOf(row), isEnd: reachedEnd && index === rows.length - 1 };
    }
  }
  const last = rows.at(-1);
  return { events, lastPosition: last === undefined ? undefined : positionOf(last), isEnd: reachedEnd };
}
