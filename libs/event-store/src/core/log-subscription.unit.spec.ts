import { ChangeSignal, type LogSource, LogSubscription, untilNextWindow } from './log-subscription';
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

function follow(log: CountingLog, coalesceMs: number) {
  return new LogSubscription(log, { pollIntervalMs: 10_000, pageSize: 500, coalesceMs }, () => undefined);
}

/** Runs `test` on a subscription of a fresh log, and closes the subscription afterwards. */
async function following(
  coalesceMs: number,
  test: (log: CountingLog, iterator: AsyncIterator<RecordedEvent>) => Promise<void>,
): Promise<void> {
  const log = new CountingLog();
  const subscription = follow(log, coalesceMs);
  try {
    await test(log, subscription[Symbol.asyncIterator]());
  } finally {
    await subscription.close();
  }
}

describe('LogSubscription wake-ups', () => {
  // Long enough that all twenty appends below fall inside one window, even on a loaded machine.
  const COALESCE_MS = 3000;

  it('reads once for the commits of a coalescing window, and delivers every event in order', () =>
    following(COALESCE_MS, async (log, iterator) => {
      log.append(0);
      expect(await take(iterator, 1)).toEqual([0]);
      const readsBefore = log.reads;
      const taken = take(iterator, 20);
      // Twenty commits a few ms apart, each a wake-up, within the window that began with the last read.
      for (let n = 1; n <= 20; n++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.append(n);
      }
      expect(await taken).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      // One read after the window (perhaps two, if the machine stretched the appends past it): not 20.
      expect(log.reads - readsBefore).toBeLessThanOrEqual(2);
    }));

  it('without coalescing reads again at every wake-up', () =>
    following(0, async (log, iterator) => {
      for (let n = 0; n < 5; n++) {
        log.append(n);
        expect(await take(iterator, 1)).toEqual([n]);
      }
      expect(log.reads).toBeGreaterThanOrEqual(5);
    }));

  it('ends at once when closed during the coalescing pause', async () => {
    const log = new CountingLog();
    const subscription = follow(log, 60_000);
    const iterator = subscription[Symbol.asyncIterator]();
    log.append(0);
    expect(await take(iterator, 1)).toEqual([0]);
    const pending = iterator.next();
    log.append(1); // wakes the reader, which now pauses for the rest of the window
    await new Promise((resolve) => setImmediate(resolve));
    const started = Date.now();
    await subscription.close();
    expect((await pending).done).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('aligns the windows to the clock, so subscriptions woken by one commit read together', () => {
    // Two readers whose last reads began at different moments of the same window wait for the
    // same instant; a reader whose last read was in an earlier window reads at once.
    expect(untilNextWindow(1_010, 1_030, 50)).toBe(20);
    expect(untilNextWindow(1_001, 1_030, 50)).toBe(20);
    expect(untilNextWindow(990, 1_030, 50)).toBe(0);
    expect(untilNextWindow(1_010, 1_030, 0)).toBe(0);
  });
});
