/**
 * What a wake-up announces (ADR 0050): the event types and stream categories of the commits it
 * covers, so that a subscription whose filter can match none of them need not read. Every commit
 * wakes every subscription of every process; most of those reads found nothing for the reader
 * (the requests service's identity lifecycle read once per order in the burst, which has no
 * identity events at all).
 *
 * An announcement only ever lets a subscription skip a read that could not have found anything
 * new; "anything" (no announcement: an older writer, `es.append_to_stream`, a payload too long)
 * wakes everyone, and the poll interval still covers every wake-up that was skipped wrongly.
 */
import type { EventFilter } from './types';

export interface Announcement {
  /** The event types of the commits. */
  types: readonly string[];
  /** Their streams' categories: each name up to and including its first '-' (the whole name without one). */
  categories: readonly string[];
}

/** Longer payloads announce "anything" (PostgreSQL's NOTIFY payload is limited to 8,000 bytes). */
export const MAX_ANNOUNCEMENT_LENGTH = 2_000;

export function categoryOf(streamName: string): string {
  const dash = streamName.indexOf('-');
  return dash < 0 ? streamName : streamName.slice(0, dash + 1);
}

/** What is owed to listeners since the last wake-up: a union, or undefined for "anything". */
export class PendingAnnouncement {
  private types = new Set<string>();
  private categories = new Set<string>();
  private anything = false;

  add(appends: readonly { streamName: string; events: readonly { type: string }[] }[] | undefined): void {
    if (!appends) {
      this.anything = true;
      return;
    }
    for (const append of appends) {
      this.categories.add(categoryOf(append.streamName));
      for (const event of append.events) this.types.add(event.type);
    }
  }

  /** The payload of the wake-up that covers everything added so far ('' for "anything"), and starts afresh. */
  take(): string {
    const payload = this.anything
      ? ''
      : encodeAnnouncement({ types: [...this.types], categories: [...this.categories] });
    this.types = new Set();
    this.categories = new Set();
    this.anything = false;
    return payload;
  }
}

export function encodeAnnouncement(announcement: Announcement): string {
  const payload = JSON.stringify({ t: announcement.types, c: announcement.categories });
  return payload.length > MAX_ANNOUNCEMENT_LENGTH ? '' : payload;
}

/** Undefined ("anything") for an empty or foreign payload. */
export function decodeAnnouncement(payload: string | undefined): Announcement | undefined {
  if (!payload) return undefined;
  try {
    const { t, c } = JSON.parse(payload) as { t?: unknown; c?: unknown };
    const strings = (list: unknown): list is string[] =>
      Array.isArray(list) && list.every((item) => typeof item === 'string');
    return strings(t) && strings(c) ? { types: t, categories: c } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * False only when no event of the announced types and categories can pass `filter`. A stream
 * matches a name prefix only if its category and the prefix are one a prefix of the other.
 */
export function mayMatch(filter: EventFilter | undefined, announcement: Announcement | undefined): boolean {
  if (!filter || !announcement) return true;
  const { streamNamePrefixes, eventTypes, eventTypePrefixes } = filter;
  if (
    streamNamePrefixes &&
    !announcement.categories.some((category) =>
      streamNamePrefixes.some((prefix) => category.startsWith(prefix) || prefix.startsWith(category)),
    )
  ) {
    return false;
  }
  if (eventTypes || eventTypePrefixes) {
    return announcement.types.some(
      (type) =>
        (eventTypes?.includes(type) ?? false) ||
        (eventTypePrefixes?.some((prefix) => type.startsWith(prefix)) ?? false),
    );
  }
  return true;
}
