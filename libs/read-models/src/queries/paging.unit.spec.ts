import { allPages, decodeCursor, encodeCursor, InvalidCursorError, itemsOf, pageOf, pagesOf } from './paging';

describe('keyset paging', () => {
  it('round-trips a key through an opaque cursor of its list', () => {
    const cursor = encodeCursor('orders', ['2030-01-01 08:00:00.123456+00', 'o-17']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('orders', cursor, 2)).toEqual(['2030-01-01 08:00:00.123456+00', 'o-17']);
  });

  it('refuses a cursor of another list, of another shape, or not a cursor at all', () => {
    const jobs = encodeCursor('jobs', ['a', 'b']);
    expect(() => decodeCursor('orders', jobs, 2)).toThrow(InvalidCursorError);
    expect(() => decodeCursor('jobs', jobs, 3)).toThrow(InvalidCursorError);
    expect(() => decodeCursor('orders', 'not-a-cursor', 2)).toThrow(
      "cursor is not a cursor of orders handed out by this API (use the 'next' of the previous page)",
    );
  });

  it('makes a page of limit rows, with a next cursor only when a row more was found', () => {
    const rows = [1, 2, 3, 4];
    expect(pageOf(rows, 3, String, (n) => `after-${n}`)).toEqual({ items: ['1', '2', '3'], next: 'after-3' });
    expect(pageOf(rows, 4, String, (n) => `after-${n}`)).toEqual({ items: ['1', '2', '3', '4'], next: null });
    expect(pageOf([], 4, String, (n) => `after-${n}`)).toEqual({ items: [], next: null });
  });

  it('walks every page until the last', async () => {
    const all = Array.from({ length: 2_501 }, (_, i) => i);
    const read = async (cursor?: string) => {
      const from = cursor ? Number(cursor) + 1 : 0;
      return pageOf(all.slice(from, from + 1_001), 1_000, (n) => n, String);
    };
    expect(await allPages(read)).toEqual(all);
  });

  it('streams a page at a time, reading the next page only when the consumer gets there', async () => {
    const all = Array.from({ length: 2_501 }, (_, i) => i);
    const cursors: Array<string | undefined> = [];
    const read = async (cursor?: string) => {
      cursors.push(cursor);
      const from = cursor ? Number(cursor) + 1 : 0;
      return pageOf(all.slice(from, from + 1_001), 1_000, (n) => n, String);
    };
    const pages = pagesOf(read);
    expect((await pages.next()).value).toHaveLength(1_000);
    expect(cursors).toEqual([undefined]); // nothing read ahead
    const sizes = [1_000];
    for await (const page of pages) sizes.push(page.length);
    expect(sizes).toEqual([1_000, 1_000, 501]);
    const items: number[] = [];
    for await (const item of itemsOf(read)) items.push(item);
    expect(items).toEqual(all);
  });
});
