import { InMemoryCheckpointStore, InMemoryEventStore } from '../in-memory';
import { eventually, newEvent, newEvents } from '../testing/contract/helpers';
import { CatchUpSubscriptionError } from './catch-up-subscription';
import { runPartitionedCatchUpSubscription } from './partitioned-catch-up';
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

  it('handles different streams side by side, each stream in log order, at most `concurrency` at once', async () => {
    // Interleaved in the log: a0 b0 c0 d0 a1 ...
    for (let i = 0; i < 5; i++)
      for (const stream of ['a', 'b', 'c', 'd'])
        await store.appendToStream(stream, newEvents(1, 'ThingHappened', i));
    let active = 0;
    let maxActive = 0;
    const seen = new Map<string, number[]>();
    const release = gate();
    const running = runPartitionedCatchUpSubscription({
      store,
      checkpoints,
      subscriptionId: 's',
      pollIntervalMs: 20,
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
    const running = runPartitionedCatchUpSubscription({
      store,
      checkpoints,
      subscriptionId: 's',
      pollIntervalMs: 20,
      concurrency: 10,
      handle: async (event) => {
        if (event.type === 'Slow') await release.opened;
        handled.push(event.type);
      },
    });
    await eventually(() => handled.length === 5, 'the events after the slow one were handled');
    expect(await checkpoints.load('s')).toBeUndefined();
    release.open();
    const last = (await store.readAll({})).events.at(-1)!;
    await eventually(
      async () => (await checkpoints.load('s')) === last.position,
      'the checkpoint reached the last event',
    );
    await running.close();
    expect(comparePositions(last.position, slow.position)).toBeGreaterThan(0);
  });

  it('stops on a handler error, checkpointed before the failed event even when later ones finished', async () => {
    const ok = await store.appendToStream('ok', [newEvent('Fine')]);
    await store.appendToStream('poison', [newEvent('Poison')]);
    await store.appendToStream('other', newEvents(3));
    const failNow = gate();
    const later: number[] = [];
    const running = runPartitionedCatchUpSubscription({
      store,
      checkpoints,
      subscriptionId: 's',
      pollIntervalMs: 20,
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
    const first = runPartitionedCatchUpSubscription({
      store,
      checkpoints,
      subscriptionId: 's',
      pollIntervalMs: 20,
      concurrency: 4,
      handle: (event) => void handled.push(n(event)),
    });
    await eventually(() => handled.length === 2, 'two events were handled');
    await first.close();
    await store.appendToStream('a', newEvents(2, 'ThingHappened', 2));
    const again: number[] = [];
    const second = runPartitionedCatchUpSubscription({
      store,
      checkpoints,
      subscriptionId: 's',
      pollIntervalMs: 20,
      concurrency: 4,
      handle: (event) => void again.push(n(event)),
    });
    await eventually(() => again.length === 2, 'the two new events were handled');
    await second.close();
    expect(again).toEqual([2, 3]);
  });
});
