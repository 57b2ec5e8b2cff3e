import { InMemoryCheckpointStore, InMemoryEventStore } from '../in-memory';
import { eventually, newEvent, newEvents } from '../testing/contract/helpers';
import { CatchUpSubscriptionError } from './catch-up-subscription';
import { type PartitionedCatchUpOptions, runPartitionedCatchUpSubscription } from './partitioned-catch-up';
import { comparePositions } from './position';
import type { RecordedEvent } from './types';

/** A promise the test resolves by hand. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const n = (event: RecordedEvent) => (event.data as { n: number }).n;

describe('runPartitionedCatchUpSubscription', () => {
  let store: InMemoryEventStore;
  let checkpoints: InMemoryCheckpointStore;
  beforeEach(() => {
    store = new InMemoryEventStore();
    checkpoints = new InMemoryCheckpointStore();
  });
  afterEach(() => store.close());

  /** Waits until the checkpoint of `s` names the log's last event, and answers that event. */
  async function checkpointReachesTheEnd(): Promise<RecordedEvent> {
    const last = (await store.readAll({})).events.at(-1)!;
    await eventually(
      async () => (await checkpoints.load('s')) === last.position,
      'the checkpoint reached the last event',
    );
    return last;
  }

  /** The subscription `s` on the test's store, polling every 20 ms. */
  const follow = (options: Omit<PartitionedCatchUpOptions, 'store' | 'checkpoints' | 'subscriptionId'>) =>
    runPartitionedCatchUpSubscription({
      store,
      checkpoints,
      subscriptionId: 's',
      pollIntervalMs: 20,
      ...options,
    });

  it('handles different streams side by side, each stream in log order, at most `concurrency` at once', async () => {
    // Interleaved in the log: a0 b0 c0 d0 a1 ...
    for (let i = 0; i < 5; i++)
      for (const stream of ['a', 'b', 'c', 'd'])
        await store.appendToStream(stream, newEvents(1, 'ThingHappened', i));
    let active = 0;
    let maxActive = 0;
    const seen = new Map<string, number[]>();
    const release = gate();
    const running = follow({
      concurrency: 3,
      handle: async (event) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await release.opened;
        seen.set(event.streamName, [...(seen.get(event.streamName) ?? []), n(event)]);
        active--;
      },
    });
    await eventually(() => active === 3, 'three events are handled at once');
    release.open();
    await eventually(() => [...seen.values()].flat().length === 20, 'all twenty events were handled');
    await running.close();
    expect(maxActive).toBe(3);
    for (const stream of ['a', 'b', 'c', 'd']) expect(seen.get(stream)).toEqual([0, 1, 2, 3, 4]);
    const last = (await store.readAll({})).events.at(-1)!;
    expect(await checkpoints.load('s')).toBe(last.position);
  });

  it('never checkpoints past an event still being handled, then catches up once it finishes', async () => {
    const slow = await store.appendToStream('slow', [newEvent('Slow')]);
    await store.appendToStream('fast', newEvents(5));
    const release = gate();
    const handled: string[] = [];
    const running = follow({
      concurrency: 10,
      handle: async (event) => {
        if (event.type === 'Slow') await release.opened;
        handled.push(event.type);
      },
    });
    await eventually(() => handled.length === 5, 'the events after the slow one were handled');
    expect(await checkpoints.load('s')).toBeUndefined();
    release.open();
    const last = await checkpointReachesTheEnd();
    await running.close();
    expect(comparePositions(last.position, slow.position)).toBeGreaterThan(0);
  });

  it('goes on past a slow event with the slots the finished ones left, the checkpoint held before it', async () => {
    const before = await store.appendToStream('before', [newEvent('Fine')]);
    await store.appendToStream('slow', [newEvent('Slow')]);
    await store.appendToStream('fast', newEvents(6));
    const release = gate();
    const handled: number[] = [];
    let active = 0;
    let maxActive = 0;
    const running = follow({
      concurrency: 2,
      handle: async (event) => {
        active++;
        maxActive = Math.max(maxActive, active);
        if (event.type === 'Slow') await release.opened;
        else if (event.streamName === 'fast') handled.push(n(event));
        active--;
      },
    });
    // Bounded by `concurrency` alone, the window (slow, one finished) stopped the rest here.
    await eventually(() => handled.length === 6, 'the six events after the slow one were handled');
    expect(maxActive).toBe(2);
    expect(await checkpoints.load('s')).toBe(before.position);
    release.open();
    await checkpointReachesTheEnd();
    await running.close();
  });

  it('holds at most `maxWindow` events behind an unfinished one', async () => {
    await store.appendToStream('slow', [newEvent('Slow')]);
    await store.appendToStream('fast', newEvents(10));
    const release = gate();
    const handled: number[] = [];
    const running = follow({
      concurrency: 2,
      maxWindow: 4,
      handle: async (event) => {
        if (event.type === 'Slow') await release.opened;
        else handled.push(n(event));
      },
    });
    await eventually(() => handled.length === 3, 'three events after the slow one were handled');
    await new Promise((resolve) => setImmediate(resolve));
    expect(handled).toEqual([0, 1, 2]);
    release.open();
    await eventually(() => handled.length === 10, 'the rest were handled once it finished');
    await running.close();
  });

  it('reads the log at the pacing it asks for, one read covering the commits of its interval', async () => {
    const reads = jest.spyOn(store, 'readAll');
    const handled: number[] = [];
    const running = runPartitionedCatchUpSubscription({
      store,
      checkpoints,
      subscriptionId: 's',
      pollIntervalMs: 10_000,
      concurrency: 4,
      pacing: { burst: 1, intervalMs: 10_000 },
      handle: (event) => void handled.push(n(event)),
    });
    await eventually(() => reads.mock.calls.length === 1, 'the first read was taken');
    // Each commit wakes the subscription; unpaced (the in-memory store's default) each is a read.
    for (let i = 0; i < 5; i++) {
      await store.appendToStream(`s-${i}`, newEvents(1, 'ThingHappened', i));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(reads.mock.calls.length).toBeLessThanOrEqual(2);
    expect(handled.length).toBeLessThanOrEqual(1);
    await running.close();
  });

  it('stops on a handler error, checkpointed before the failed event even when later ones finished', async () => {
    const ok = await store.appendToStream('ok', [newEvent('Fine')]);
    await store.appendToStream('poison', [newEvent('Poison')]);
    await store.appendToStream('other', newEvents(3));
    const failNow = gate();
    const later: number[] = [];
    const running = follow({
      concurrency: 8,
      handle: async (event) => {
        if (event.type === 'Poison') {
          await failNow.opened;
          throw new Error('cannot handle poison');
        }
        if (event.streamName === 'other') later.push(n(event));
      },
    });
    await eventually(() => later.length === 3, 'the later events were handled');
    failNow.open();
    const error = await running.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CatchUpSubscriptionError);
    expect((error as CatchUpSubscriptionError).event?.type).toBe('Poison');
    expect((error as Error).message).toContain('cannot handle poison');
    expect(await checkpoints.load('s')).toBe(ok.position);
  });

  it('resumes after the stored checkpoint, handling again what had not been checkpointed', async () => {
    await store.appendToStream('a', newEvents(2));
    const handled: number[] = [];
    const first = follow({
      concurrency: 4,
      handle: (event) => void handled.push(n(event)),
    });
    await eventually(() => handled.length === 2, 'two events were handled');
    await first.close();
    await store.appendToStream('a', newEvents(2, 'ThingHappened', 2));
    const again: number[] = [];
    const second = follow({
      concurrency: 4,
      handle: (event) => void again.push(n(event)),
    });
    await eventually(() => again.length === 2, 'the two new events were handled');
    await second.close();
    expect(again).toEqual([2, 3]);
  });
});
