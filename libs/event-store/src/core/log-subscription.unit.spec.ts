import { ChangeSignal, type LogSource, LogSubscription } from './log-subscription';
import type { Pacing } from '@prov/gathering';
import type { Position } from './position';
import type { EventFilter, ReadAllOptions, ReadAllResult, RecordedEvent } from './types';

/** A log in memory whose reads are counted, and whose appends wake readers like a commit's NOTIFY. */
class CountingLog implements LogSource {
  readonly changes = new ChangeSignal();
  readonly events: RecordedEvent[] = [];
  reads = 0;

  /** Events from this index on are not readable yet (held back by the log gate). */
  heldFrom = Infinity;
  /** Whether reads say that events are held back, as the PostgreSQL store's do (ADR 0064). */
  saysHeldBack = false;

  append(n: number, type?: string): void {
    const position = String(this.events.length + 1).padStart(20, '0') as Position;
    this.events.push({
      streamName: `s-${n}`,
      revision: 0n,
      position,
      id: `e${n}`,
      type: type ?? 'ThingHappened',
      data: { n },
      metadata: {},
      createdAt: new Date(),
    });
    // A typed append announces itself, as the PostgreSQL store's wake-ups do.
    this.changes.notify(type === undefined ? undefined : { types: [type], categories: ['s-'] });
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllResult> {
    this.reads += 1;
    const from = options.after ? this.events.findIndex((e) => e.position === options.after) + 1 : 0;
    const visible = this.events.slice(0, this.heldFrom);
    const events = visible.slice(from, from + (options.maxCount ?? 1000));
    return {
      events,
      lastPosition: events.at(-1)?.position ?? options.after,
      isEnd: from + events.length >= visible.length,
      ...(this.saysHeldBack ? { heldBack: visible.length < this.events.length } : {}),
    };
  }
}

async function take(iterator: AsyncIterator<RecordedEvent>, count: number): Promise<number[]> {
  const taken: number[] = [];
  while (taken.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    taken.push((next.value.data as { n: number }).n);
  }
  return taken;
}

function follow(log: CountingLog, pacing: Pacing | undefined, pageSize = 500, filter?: EventFilter) {
  return new LogSubscription(log, { pollIntervalMs: 10_000, pageSize, pacing, filter }, () => undefined);
}

/** Runs `test` on a subscription of a fresh log, and closes the subscription afterwards. */
async function following(
  pacing: Pacing | undefined,
  test: (log: CountingLog, iterator: AsyncIterator<RecordedEvent>) => Promise<void>,
): Promise<void> {
  const log = new CountingLog();
  const subscription = follow(log, pacing);
  try {
    await test(log, subscription[Symbol.asyncIterator]());
  } finally {
    await subscription.close();
  }
}

describe('LogSubscription wake-ups', () => {
  // Long enough that all twenty appends below fall inside one interval, even on a loaded machine.
  const PACING = { burst: 2, intervalMs: 3000 };

  it('reads at once for the burst, then once for the commits of an interval, delivering every event in order', () =>
    following(PACING, async (log, iterator) => {
      const started = Date.now();
      log.append(0);
      expect(await take(iterator, 1)).toEqual([0]);
      log.append(1);
      expect(await take(iterator, 1)).toEqual([1]);
      // The first read and the two woken ones were the burst (the first is not paced).
      expect(Date.now() - started).toBeLessThan(PACING.intervalMs);
      const readsBefore = log.reads;
      const taken = take(iterator, 20);
      // Twenty commits a few ms apart, each a wake-up, while the bucket is empty.
      for (let n = 2; n <= 21; n++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.append(n);
      }
      expect(await taken).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
      // One read after the interval (perhaps two, if the machine stretched the appends past it): not 20.
      expect(log.reads - readsBefore).toBeLessThanOrEqual(2);
    }));

  it('without pacing reads again at every wake-up', () =>
    following(undefined, async (log, iterator) => {
      for (let n = 0; n < 5; n++) {
        log.append(n);
        expect(await take(iterator, 1)).toEqual([n]);
      }
      expect(log.reads).toBeGreaterThanOrEqual(5);
    }));

  it('reads a backlog page after page without waiting for the pacing', async () => {
    const log = new CountingLog();
    for (let n = 0; n < 50; n++) log.append(n);
    // One read a minute at most once woken; the five full pages of the catch-up go at once.
    const subscription = follow(log, { burst: 1, intervalMs: 60_000 }, 10);
    try {
      const started = Date.now();
      expect(await take(subscription[Symbol.asyncIterator](), 50)).toHaveLength(50);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await subscription.close();
    }
  });

  it('ends at once when closed during the pacing pause', async () => {
    const log = new CountingLog();
    const subscription = follow(log, { burst: 1, intervalMs: 60_000 });
    const iterator = subscription[Symbol.asyncIterator]();
    log.append(0);
    expect(await take(iterator, 1)).toEqual([0]);
    log.append(1);
    expect(await take(iterator, 1)).toEqual([1]); // the one read of the burst
    const pending = iterator.next();
    log.append(2); // wakes the reader, which now pauses for the rest of the interval
    await new Promise((resolve) => setImmediate(resolve));
    const started = Date.now();
    await subscription.close();
    expect((await pending).done).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('LogSubscription and what wake-ups announce', () => {
  const wanted = { eventTypes: ['Wanted'] };
  /** Lets the reader run until it waits again. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  /** A subscription for 'Wanted' events that has delivered one and waits for the next. */
  async function waiting(
    test: (log: CountingLog, iterator: AsyncIterator<RecordedEvent>) => Promise<void>,
    saysHeldBack = false,
  ) {
    const log = new CountingLog();
    log.saysHeldBack = saysHeldBack;
    const subscription = follow(log, undefined, 500, wanted);
    const iterator = subscription[Symbol.asyncIterator]();
    try {
      log.append(0, 'Wanted');
      expect(await take(iterator, 1)).toEqual([0]);
      await test(log, iterator);
    } finally {
      await subscription.close();
    }
  }

  it('passes over wake-ups for commits its filter drops, and reads at one it may match', () =>
    waiting(async (log, iterator) => {
      const next = iterator.next();
      await settle();
      const readsBefore = log.reads;
      for (let n = 1; n <= 10; n++) log.append(n, 'Other');
      await settle();
      // The poll interval is 10 s: no read for the ten others... (the log here does not filter)
      expect(log.reads).toBe(readsBefore);
      log.append(11); // ...but one for a commit that says nothing of itself
      expect((await next).value?.data).toEqual({ n: 1 });
    }));

  it('reads at an unrelated wake-up soon after a matching one whose events the log held back', () =>
    waiting(async (log, iterator) => {
      const next = iterator.next();
      // An append of other events is still open below a matching one that has committed: the
      // matching wake-up's read cannot see it yet.
      log.heldFrom = 1;
      log.append(1, 'Other');
      log.append(2, 'Wanted');
      await settle();
      const readsBefore = log.reads;
      expect(readsBefore).toBeGreaterThan(1);
      // The open append commits; its wake-up announces only what the filter drops.
      log.heldFrom = Infinity;
      log.changes.notify({ types: ['Other'], categories: ['s-'] });
      const started = Date.now();
      expect((await next).value?.data).toEqual({ n: 1 });
      expect(await take(iterator, 1)).toEqual([2]);
      // At once, not at the poll (10 s).
      expect(Date.now() - started).toBeLessThan(5_000);
    }));

  it('reads at an unrelated wake-up while a store that says so holds events back', () =>
    waiting(async (log, iterator) => {
      const next = iterator.next();
      log.heldFrom = 1;
      log.append(1, 'Other');
      log.append(2, 'Wanted');
      await settle();
      log.heldFrom = Infinity;
      log.changes.notify({ types: ['Other'], categories: ['s-'] });
      const started = Date.now();
      expect((await next).value?.data).toEqual({ n: 1 });
      expect(await take(iterator, 1)).toEqual([2]);
      expect(Date.now() - started).toBeLessThan(5_000);
    }, true));

  it('passes over unrelated wake-ups soon after a matching one when the store says nothing is held back', () =>
    waiting(async (log, iterator) => {
      const next = iterator.next();
      log.append(1, 'Wanted');
      expect((await next).value?.data).toEqual({ n: 1 });
      const after = iterator.next();
      await settle();
      const readsBefore = log.reads;
      // The commits of other events right after (the reaction's own, say) do not make it read:
      // its read after the matching wake-up saw everything committed.
      for (let n = 2; n <= 11; n++) log.append(n, 'Other');
      await settle();
      expect(log.reads).toBe(readsBefore);
      log.append(12, 'Wanted');
      // (This log does not filter: the read delivers from the first of the others.)
      expect((await after).value?.data).toEqual({ n: 2 });
      expect(log.reads).toBe(readsBefore + 1);
    }, true));
});
