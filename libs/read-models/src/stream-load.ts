import {
  openStreamOrderReader,
  type PostgresEventStore,
  type Position,
  readLogOrderPage,
  type RecordedEvent,
  replayGate,
} from '@prov/event-store';
import type { Projection } from './projections/projection';

/** PostgreSQL's unique_violation: two streams wrote one row after all. */
const UNIQUE_VIOLATION = '23505';
/**
 * PostgreSQL's deadlock_detected: two batches written at once that each wrote a row the other
 * writes as well; batches share no row but such a one (their streams are disjoint).
 */
const DEADLOCK_DETECTED = '40P01';
/**
 * Batches of whole streams written at once, each in its own transaction on its own connection:
 * this process folds the next batch while PostgreSQL takes in the COPY of the one before (the
 * process waited for the server about half of the time with one, ADR 0055).
 */
const WRITERS = 2;

/**
 * A load by stream met a row that two streams write (an order id in two assignments, say): that
 * row then depends on the order and batching of the events (on the live path too), and on stream
 * order it would differ once more. The projector starts the load again in log order, as every
 * replay did before (ADR 0038).
 */
export class StreamOrderConflict extends Error {
  override readonly name = 'StreamOrderConflict';
}

/**
 * The bulk load of a schema from zero, stream by stream (ADR 0047). The projections whose rows
 * each come from one stream (`byStream`: identities, assignments, jobs) get the log grouped by
 * stream, in batches of whole streams: every stream is folded once, with all its events, so no
 * row is looked up, held across the load or written twice, and memory is bounded by a page
 * (plus the longest stream), not by the number of identities. The other projections
 * (synchronizations) get their events in log order. Everything is read below one gate, so the
 * two reads see the same log (`gate`, by default read here; a caller that copies rows of the same
 * events alongside passes the one it copies below); returns the last position applied (the load's
 * checkpoint).
 */
export async function loadByStream(
  store: PostgresEventStore,
  projections: readonly Projection[],
  pageSize: number,
  apply: (events: RecordedEvent[]) => Promise<void>,
  gate?: string,
): Promise<Position | undefined> {
  gate ??= await replayGate(store);
  const apart = projections.filter((p) => p.byStream);
  const together = projections.filter((p) => !p.byStream);
  const applyChecked = async (events: RecordedEvent[]) => {
    try {
      await apply(events);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== UNIQUE_VIOLATION && code !== DEADLOCK_DETECTED) throw error;
      throw new StreamOrderConflict(`two streams wrote one row: ${String(error)}`, { cause: error });
    }
  };
  let last: Position | undefined;
  const seen = (events: readonly RecordedEvent[]) => {
    for (const event of events) if (last === undefined || event.position > last) last = event.position;
  };

  const keys = sharedKeys(apart);
  const reader =
    apart.length > 0
      ? await openStreamOrderReader(store, {
          streamNamePrefixes: apart.flatMap((p) => p.streamPrefixes),
          gate,
          maxCount: pageSize,
        })
      : undefined;
  const writing = writers(WRITERS);
  try {
    let carried: RecordedEvent[] = [];
    for (let page = await reader?.next(); page;) {
      // The next page is fetched while this one is written.
      const next = page.length === pageSize ? reader!.next() : undefined;
      next?.catch(() => undefined);
      let events = carried.concat(page);
      // The last stream of a page may go on in the next: it waits for the rest of its events.
      carried = [];
      if (next && events.length > 0) {
        const lastStream = events[events.length - 1].streamName;
        let cut = events.length;
        while (cut > 0 && events[cut - 1].streamName === lastStream) cut--;
        carried = events.slice(cut);
        events = events.slice(0, cut);
      }
      if (events.length > 0) {
        checkKeys(events, keys);
        const ordered = inLogOrderPerStream(events);
        // Batches hold disjoint streams: the order in which they commit changes no row.
        await writing.start(async () => {
          await applyChecked(ordered);
          seen(ordered);
        });
      }
      page = next ? await next : undefined;
    }
    if (carried.length > 0) throw new Error('a load by stream ended with events it did not apply');
  } finally {
    // Every write has ended before the load goes on, or starts again after a conflict.
    await writing.drain().finally(() => reader?.close());
  }

  let after: Position | undefined;
  while (together.length > 0) {
    const page = await readLogOrderPage(store, {
      streamNamePrefixes: together.flatMap((p) => p.streamPrefixes),
      gate,
      maxCount: pageSize,
      after,
    });
    if (page.events.length > 0) {
      await applyChecked(page.events);
      seen(page.events);
    }
    if (!page.next) break;
    after = page.next;
  }
  return last;
}

/** The rows not keyed by their stream that the events of these projections write. */
function sharedKeys(
  projections: readonly Projection[],
): Map<string, (event: RecordedEvent) => readonly string[]> {
  const keys = new Map<string, (event: RecordedEvent) => readonly string[]>();
  for (const projection of projections)
    if (projection.byStream?.keys)
      for (const prefix of projection.streamPrefixes) keys.set(prefix, projection.byStream.keys);
  return keys;
}

/**
 * Within one batch the folds merge the rows two streams write (the last one folded wins), so a
 * key met in two streams of a batch is a conflict as well; between batches the table's unique
 * key finds it.
 */
function checkKeys(
  events: readonly RecordedEvent[],
  keys: ReadonlyMap<string, (event: RecordedEvent) => readonly string[]>,
): void {
  if (keys.size === 0) return;
  const owner = new Map<string, string>();
  for (const event of events) {
    for (const [prefix, of] of keys) {
      if (!event.streamName.startsWith(prefix)) continue;
      for (const key of of(event)) {
        const stream = owner.get(key);
        if (stream === undefined) owner.set(key, event.streamName);
        else if (stream !== event.streamName)
          throw new StreamOrderConflict(`${key} is written by ${stream} and ${event.streamName}`);
      }
    }
  }
}

/**
 * The folds apply a stream's events in log order (that is what the live path does). Revision
 * order is log order unless a later revision's transaction got its id first; such a stream's
 * events are put in log order here. Streams stay grouped.
 */
function inLogOrderPerStream(events: RecordedEvent[]): RecordedEvent[] {
  let ordered = true;
  for (let i = 1; i < events.length && ordered; i++)
    if (events[i].streamName === events[i - 1].streamName && events[i].position < events[i - 1].position)
      ordered = false;
  if (ordered) return events;
  const result: RecordedEvent[] = [];
  for (let start = 0; start < events.length;) {
    let end = start + 1;
    while (end < events.length && events[end].streamName === events[start].streamName) end++;
    result.push(...events.slice(start, end).sort((a, b) => (a.position < b.position ? -1 : 1)));
    start = end;
  }
  return result;
}

/**
 * Runs at most `count` writes at once. `start` waits for a free writer and throws the error of a
 * write that failed (once every other has ended); `drain` waits for all and throws likewise.
 */
function writers(count: number): {
  start(write: () => Promise<void>): Promise<void>;
  drain(): Promise<void>;
} {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const drain = async () => {
    await Promise.allSettled(running);
    if (failure) throw failure.error;
  };
  return {
    async start(write) {
      while (running.size >= count && !failure) await Promise.race(running);
      if (failure) return drain();
      const task: Promise<void> = write()
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => running.delete(task));
      running.add(task);
    },
    drain,
  };
}
