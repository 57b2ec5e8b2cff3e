import { ChangeSignal, type LogSource, LogSubscription } from './log-subscription';
import type { Pacing } from './subscription-pacing';
import type { Position } from './position';
import type { ReadAllOptions, ReadAllResult, RecordedEvent } from './types';

/** A log in memory whose reads are counted, and whose appends wake readers like a commit's NOTIFY. */
class CountingLog implements LogSource {
  readonly changes = new ChangeSignal();
  readonly events: RecordedEvent[] = [];
  reads = 0;

  append(n: number): void {
    const position = String(this.events.length + 1).padStart(20, '0') as Position;
    this.events.push({
      streamName: `s-${n}`,
      revision: 0n,
      position,
      id: `e${n}`,
      type: 'ThingHappened',
      data: { n },
      metadata: {},
      createdAt: new Date(),
    });
    this.changes.notify();
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllResult> {
    this.reads += 1;
    const from = options.after ? this.events.findIndex((e) => e.position === options.after) + 1 : 0;
    const events = this.events.slice(from, from + (options.maxCount ?? 1000));
    return {
      events,
      lastPosition: events.at(-1)?.position ?? options.after,
      isEnd: from + events.length >= this.events.length,
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

function follow(log: CountingLog, pacing: Pacing | undefined, pageSize = 500) {
  return new LogSubscription(log, { pollIntervalMs: 10_000, pageSize, pacing }, () => undefined);
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
