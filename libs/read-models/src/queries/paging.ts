/**
 * Keyset paging. A list is read in pages ordered by a unique key; a page ends with `next`, an
 * opaque cursor holding the last row's key, and the following page starts strictly after it.
 * Unlike OFFSET, a page neither skips nor repeats rows when rows before it come or go, and
 * reading page n costs the same as reading page 1.
 */

/** One page of a list: `next` is null on the last page. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface PageRequest {
  /** The `next` of the previous page; absent for the first page. */
  cursor?: string;
  limit?: number;
}

/** A cursor that is not one this API handed out (or that belongs to another list). */
export class InvalidCursorError extends Error {
  readonly field = 'cursor';

  constructor(readonly list: string) {
    super(`cursor is not a cursor of ${list} handed out by this API (use the 'next' of the previous page)`);
    this.name = 'InvalidCursorError';
  }
}

/** The page size internal scans use: large enough to be quick, small enough to stay in memory. */
export const SCAN_PAGE_SIZE = 1000;

/** `["orders", "2026-…", "o-17"]` → an opaque base64url text. */
export function encodeCursor(list: string, key: readonly string[]): string {
  return Buffer.from(JSON.stringify([list, ...key]), 'utf8').toString('base64url');
}

/** The key in a cursor of `list` with `length` parts, or InvalidCursorError. */
export function decodeCursor(list: string, cursor: string, length: number): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(list);
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== length + 1 ||
    parsed[0] !== list ||
    !parsed.every((part) => typeof part === 'string')
  ) {
    throw new InvalidCursorError(list);
  }
  return parsed.slice(1) as string[];
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only says that there is more, and
 * the cursor is the key of the last row kept.
 */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  view: (row: R) => T,
  cursor: (row: R) => string,
): Page<T> {
  const kept = rows.slice(0, limit);
  const more = rows.length > limit && kept.length > 0;
  return { items: kept.map(view), next: more ? cursor(kept[kept.length - 1]) : null };
}

/**
 * A paged list one page at a time, read only when the consumer asks for it: a scan holds one
 * page in memory however long the list is.
 */
export async function* pagesOf<T>(
  read: (cursor: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    if (page.items.length > 0) yield page.items;
    cursor = page.next ?? undefined;
  } while (cursor !== undefined);
}

/** The items of a paged list one by one, fetched a page at a time (see pagesOf). */
export async function* itemsOf<T>(read: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  for await (const page of pagesOf(read)) yield* page;
}

/** Every item of a paged list, for lists a person reads whole (a CSV export, an identity's permissions). */
export async function allPages<T>(read: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pagesOf(read)) all.push(...page);
  return all;
}
