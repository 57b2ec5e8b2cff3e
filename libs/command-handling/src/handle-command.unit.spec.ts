import { InMemoryEventStore, WrongExpectedVersionError, type EventStore } from '@prov/event-store';
import type { Decider } from '@prov/domain';
import { decideOnGuess, handleCommand, loadStream } from './handle-command';
import { deterministicUuid } from './deterministic-uuid';

/** A counter that only accepts an increment from the value the caller saw. */
type CounterEvent = { type: 'Incremented'; data: { to: number } };
type CounterCommand = { type: 'Increment'; from: number } | { type: 'Touch' };
const counter: Decider<number, CounterCommand, CounterEvent> = {
  initialState: () => 0,
  evolve: (_state, event) => event.data.to,
  decide: (command, state) => {
    if (command.type === 'Touch') return [];
    if (command.from !== state) throw new Error(`counter is at ${state}, not ${command.from}`);
    return [{ type: 'Incremented', data: { to: state + 1 } }];
  },
};
const metadata = { correlationId: 'c-1', actor: 'test', occurredAt: '2026-01-01T00:00:00.000Z' };

describe('handleCommand', () => {
  let store: InMemoryEventStore;
  beforeEach(() => {
    store = new InMemoryEventStore();
  });

  it('creates a stream with no_stream and appends with the revision it read afterwards', async () => {
    const first = await handleCommand(
      store,
      counter,
      'counter-1',
      { type: 'Increment', from: 0 },
      { metadata },
    );
    expect(first.nextExpectedRevision).toBe(0n);
    const second = await handleCommand(
      store,
      counter,
      'counter-1',
      { type: 'Increment', from: 1 },
      { metadata },
    );
    expect(second.state).toBe(2);
    const events = await store.readStream('counter-1');
    expect(events.map((e) => e.metadata)).toEqual([metadata, metadata]);
  });

  it('appends nothing when the decider decides nothing', async () => {
    const outcome = await handleCommand(store, counter, 'counter-2', { type: 'Touch' }, { metadata });
    expect(outcome.events).toEqual([]);
    expect((await loadStream(store, counter, 'counter-2')).revision).toBeUndefined();
  });

  it('re-reads and decides again when another writer appended in between', async () => {
    await handleCommand(store, counter, 'counter-3', { type: 'Increment', from: 0 }, { metadata });
    let interfered = false;
    const racing: EventStore = Object.create(store);
    racing.appendToStream = async (stream, events, options) => {
      if (!interfered) {
        interfered = true;
        await store.appendToStream(
          stream,
          [{ id: deterministicUuid('other'), type: 'Incremented', data: { to: 2 } }],
          {
            expectedRevision: 0n,
          },
        );
      }
      return store.appendToStream(stream, events, options);
    };
    // The builder sees the state of each read: the second read sees the other writer's event.
    const seen: number[] = [];
    const outcome = await handleCommand(
      racing,
      counter,
      'counter-3',
      (state) => {
        seen.push(state);
        return { type: 'Increment' as const, from: state };
      },
      { metadata },
    );
    expect(seen).toEqual([1, 2]);
    expect(outcome.state).toBe(3);
  });

  it('decides on the stream the caller loaded without reading it again', async () => {
    await handleCommand(store, counter, 'counter-6', { type: 'Increment', from: 0 }, { metadata });
    const loaded = await loadStream(store, counter, 'counter-6');
    let reads = 0;
    const counting: EventStore = Object.create(store);
    counting.readStream = (...args) => {
      reads++;
      return store.readStream(...args);
    };
    const outcome = await handleCommand(
      counting,
      counter,
      'counter-6',
      { type: 'Increment', from: 1 },
      { metadata, loaded },
    );
    expect(reads).toBe(0);
    expect(outcome.state).toBe(2);
    expect(outcome.nextExpectedRevision).toBe(1n);
  });

  it('reads the stream and decides again when the loaded state was stale', async () => {
    // The caller guesses a new stream, but another writer created it first.
    await handleCommand(store, counter, 'counter-7', { type: 'Increment', from: 0 }, { metadata });
    const seen: number[] = [];
    const outcome = await handleCommand(
      store,
      counter,
      'counter-7',
      (state) => {
        seen.push(state);
        return { type: 'Increment' as const, from: state };
      },
      { metadata, loaded: { state: counter.initialState(), revision: undefined } },
    );
    expect(seen).toEqual([0, 1]);
    expect(outcome.state).toBe(2);
    expect((await store.readStream('counter-7')).map((e) => e.data)).toEqual([{ to: 1 }, { to: 2 }]);
  });

  describe('with a guess (what the caller believes the stream to be, unread)', () => {
    /** The store, counting the stream reads it answers. */
    function counting(): { store: EventStore; reads: () => number } {
      let reads = 0;
      const wrapped: EventStore = Object.create(store);
      wrapped.readStream = (...args) => {
        reads++;
        return store.readStream(...args);
      };
      return { store: wrapped, reads: () => reads };
    }

    it('decides on the guess without reading when the append is accepted at its revision', async () => {
      await handleCommand(store, counter, 'guess-1', { type: 'Increment', from: 0 }, { metadata });
      const { store: watched, reads } = counting();
      const outcome = await handleCommand(
        watched,
        counter,
        'guess-1',
        { type: 'Increment', from: 1 },
        { metadata, guess: { state: 1, revision: 0n } },
      );
      expect(reads()).toBe(0);
      expect(outcome).toMatchObject({ state: 2, nextExpectedRevision: 1n });
    });

    it('reads and decides again when the guess is refused at its revision, even with one attempt allowed', async () => {
      await handleCommand(store, counter, 'guess-2', { type: 'Increment', from: 0 }, { metadata });
      await handleCommand(store, counter, 'guess-2', { type: 'Increment', from: 1 }, { metadata });
      const seen: number[] = [];
      const outcome = await handleCommand(
        store,
        counter,
        'guess-2',
        (state) => {
          seen.push(state);
          return { type: 'Increment' as const, from: state };
        },
        { metadata, maxAttempts: 1, guess: { state: 1, revision: 0n } },
      );
      expect(seen).toEqual([1, 2]);
      expect(outcome.state).toBe(3);
    });

    it('reads and decides again when the guess decides nothing: a stale guess must not answer', async () => {
      await handleCommand(store, counter, 'guess-3', { type: 'Increment', from: 0 }, { metadata });
      const { store: watched, reads } = counting();
      // The stream is at 1; a guess of 5 would refuse "Increment from 1" as nothing to do.
      const outcome = await handleCommand(
        watched,
        counter,
        'guess-3',
        (state) => (state === 1 ? { type: 'Increment' as const, from: 1 } : undefined),
        { metadata, guess: { state: 5, revision: 0n } },
      );
      expect(reads()).toBe(1);
      expect(outcome.state).toBe(2);
      expect((await store.readStream('guess-3')).map((e) => e.data)).toEqual([{ to: 1 }, { to: 2 }]);
    });

    it('does not take a repeat of events already stored for a write: the stream moved on, so it reads and decides again', async () => {
      const ids = ['1', '2', '3'].map((n) => deterministicUuid('guess-5', n));
      for (const [from, id] of ids.entries())
        await handleCommand(
          store,
          counter,
          'guess-5',
          { type: 'Increment', from },
          { metadata, eventId: () => id },
        );
      // Handling again what wrote the second event, on a guess from before it (a replay after a crash).
      const outcome = await handleCommand(
        store,
        counter,
        'guess-5',
        (state) => (state < 3 ? { type: 'Increment' as const, from: state } : undefined),
        { metadata, eventId: () => ids[1], guess: { state: 1, revision: 0n } },
      );
      expect(outcome).toMatchObject({ events: [], state: 3, nextExpectedRevision: 2n });
    });

    it('decideOnGuess answers nothing, reading nothing and writing nothing, when the guess is refused', async () => {
      await handleCommand(store, counter, 'guess-6', { type: 'Increment', from: 0 }, { metadata });
      await handleCommand(store, counter, 'guess-6', { type: 'Increment', from: 1 }, { metadata });
      const { store: watched, reads } = counting();
      const stale = { state: 1, revision: 0n };
      expect(
        await decideOnGuess(watched, counter, 'guess-6', { type: 'Increment', from: 1 }, stale, metadata),
      ).toBeUndefined();
      expect(reads()).toBe(0);
      expect((await store.readStream('guess-6')).map((e) => e.data)).toEqual([{ to: 1 }, { to: 2 }]);
    });

    it('reads and decides again when the decision on the guess throws', async () => {
      await handleCommand(store, counter, 'guess-4', { type: 'Increment', from: 0 }, { metadata });
      const outcome = await handleCommand(
        store,
        counter,
        'guess-4',
        { type: 'Increment', from: 1 },
        { metadata, guess: { state: 0, revision: undefined } },
      );
      expect(outcome.state).toBe(2);
    });
  });

  it('gives up with a ConcurrencyError after the bounded attempts', async () => {
    const alwaysConflicting: EventStore = Object.create(store);
    alwaysConflicting.appendToStream = async (stream) => {
      throw new WrongExpectedVersionError(stream, 'no_stream', 5n);
    };
    await expect(
      handleCommand(
        alwaysConflicting,
        counter,
        'counter-4',
        { type: 'Increment', from: 0 },
        { metadata, maxAttempts: 3 },
      ),
    ).rejects.toMatchObject({ name: 'ConcurrencyError', code: 'ConcurrencyError' });
  });

  it('uses the given event ids, so a repeated reaction is swallowed by the store', async () => {
    const eventId = () => deterministicUuid('cause-1', '0');
    await handleCommand(store, counter, 'counter-5', { type: 'Increment', from: 0 }, { metadata, eventId });
    const [event] = await store.readStream('counter-5');
    expect(event.id).toBe(deterministicUuid('cause-1', '0'));
    expect(deterministicUuid('a', 'b')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(deterministicUuid('a', 'b')).not.toBe(deterministicUuid('ab'));
  });
});
