/**
 * Bounded concurrency over a stream, for the complete job's scans (ADR 0048): a scan of a million
 * rows is consumed a page at a time, and at most `limit` items are worked on at once, so neither
 * the items nor their promises pile up in memory, and the pools the work reads through are not
 * flooded ahead of the live path's queries.
 */

/**
 * Calls `work` for every item, at most `limit` at a time, pulling the next item only when a slot
 * is free. The first failure stops the pulling; the work already started is awaited and the
 * failure thrown, so a task fails as it did when it worked on one item at a time.
 */
export async function forEachInFlight<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const item of items) {
    if (failure) break;
    const started: Promise<void> = work(item)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => running.delete(started));
    running.add(started);
    if (running.size >= Math.max(1, limit)) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}

/** A run of consecutive items with the same key, at most a chunk's length. */
export interface Run<T> {
  key: string;
  items: T[];
}

/**
 * Consecutive items with the same key, in runs of at most `maxLength` (a key with more items
 * gives several runs, one after the other): for a scan ordered by identity, an identity's
 * assignments together, without holding an unbounded number of them.
 */
export async function* runsOf<T>(
  items: AsyncIterable<T>,
  keyOf: (item: T) => string,
  maxLength: number,
): AsyncGenerator<Run<T>> {
  let run: Run<T> | undefined;
  for await (const item of items) {
    const key = keyOf(item);
    if (run && (run.key !== key || run.items.length >= maxLength)) {
      yield run;
      run = undefined;
    }
    run ??= { key, items: [] };
    run.items.push(item);
  }
  if (run) yield run;
}
