import {
  type EventStore,
  InMemoryEventStore,
  type RecordedEvent,
  type StreamRead,
  StreamNotFoundError,
} from '@prov/event-store';
import { coalescingReads } from './coalesced-reads';

/** The in-memory store with a readStreams that answers as readStream does, counting its calls. */
function storeWithReadStreams() {
  const store = new InMemoryEventStore();
  const batches: string[][] = [];
  const readStreams = async (names: readonly string[]): Promise<StreamRead[]> => {
    batches.push([...names]);
    return Promise.all(
      names.map((name) => store.readStream(name).catch((error: StreamNotFoundError) => error)),
    );
  };
  return { store: Object.assign(store, { readStreams }) as EventStore, batches };
}

const types = (events: RecordedEvent[]) => events.map((event) => event.type);

describe('coalescingReads', () => {
  it('given reads asked together, then they leave together as one statement and each gets its own answer', async () => {
    const { store, batches } = storeWithReadStreams();
    for (const n of [1, 2, 3, 4])
      await store.appendToStream(`s-${n}`, [{ id: crypto.randomUUID(), type: `T${n}`, data: {} }]);
    const reads = coalescingReads(store);

    const answers = await Promise.allSettled(
      ['s-1', 's-2', 's-3', 'missing', 's-4'].map((n) => reads.readStream(n)),
    );

    // Asked in one turn of the event loop: one statement, even with a second one free (ADR 0060).
    expect(batches).toEqual([['s-1', 's-2', 's-3', 'missing', 's-4']]);
    expect(answers.map((a) => (a.status === 'fulfilled' ? types(a.value) : a.reason))).toEqual([
      ['T1'],
      ['T2'],
      ['T3'],
      expect.any(StreamNotFoundError),
      ['T4'],
    ]);
  });

  it('given a read with options, then it goes to the store alone, as before', async () => {
    const { store, batches } = storeWithReadStreams();
    await store.appendToStream(
      's',
      [1, 2].map((n) => ({ id: crypto.randomUUID(), type: `T${n}`, data: {} })),
    );

    const read = await coalescingReads(store).readStream('s', { fromRevision: 1n });

    expect(types(read)).toEqual(['T2']);
    expect(batches).toEqual([]);
  });

  it('given a store without readStreams, then it is used as it is', () => {
    const store = new InMemoryEventStore();

    expect(coalescingReads(store)).toBe(store);
  });
});
