/**
 * Contract: an append over several streams (`appendToStreams`, ADR 0061) writes every part or
 * none, each part checked as `appendToStream` checks it. The port's method is optional: an
 * adapter that has it says so (`claimed`) and must pass these tests; one that does not
 * (EventStoreDB) must not have the method at all.
 */
import { CHAIN_START, eventHash } from '../../core/hash-chain';
import {
  DuplicateEventIdsError,
  EventValidationError,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../../core/errors';
import type { EventStore } from '../../core/event-store';
import type { RecordedEvent, StreamAppend } from '../../core/types';
import {
  type ContractContext,
  newEvent,
  newEvents,
  readAllThrough,
  rejectionOf,
  uniquePrefix,
} from './helpers';

/** What a stream holds now: its events, or none (never written, or nothing written by a refused append). */
async function eventsOf(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  try {
    return await store.readStream(stream);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

export function severalStreamsContract(ctx: ContractContext, claimed: boolean): void {
  const store = () => ctx.fixture().store;
  /** The adapter's appendToStreams; undefined when it does not claim it (the tests then check nothing). */
  const together = () => {
    if (!claimed) return undefined;
    const append = store().appendToStreams;
    if (!append) throw new Error('the adapter claims appendToStreams but has none');
    return append.bind(store());
  };

  describe('appendToStreams: all parts or none', () => {
    it('is there exactly when the adapter claims it', () => {
      expect(typeof store().appendToStreams).toBe(claimed ? 'function' : 'undefined');
    });

    it('writes every part in one call, results in the order given, all in the global log', async () => {
      const append = together();
      if (!append) return;
      const prefix = uniquePrefix('units');
      await store().appendToStream(`${prefix}a`, [newEvent('First')]);
      const results = await append([
        { streamName: `${prefix}a`, events: [newEvent('Held')], expectedRevision: 0n },
        { streamName: `${prefix}b`, events: newEvents(2, 'Requested'), expectedRevision: 'no_stream' },
      ]);
      expect(results.map((r) => r.nextExpectedRevision)).toEqual([1n, 1n]);
      expect((await store().readStream(`${prefix}a`)).map((e) => e.type)).toEqual(['First', 'Held']);
      expect((await store().readStream(`${prefix}b`)).map((e) => e.type)).toEqual(['Requested', 'Requested']);
      const last = results.map((r) => r.position).sort()[1];
      const { events } = await readAllThrough(store(), last, { filter: { streamNamePrefixes: [prefix] } });
      expect(events.map((e) => e.type).sort()).toEqual(['First', 'Held', 'Requested', 'Requested']);
    });

    it('writes nothing when one part is at a wrong revision, and names that part', async () => {
      const append = together();
      if (!append) return;
      const prefix = uniquePrefix('units');
      await store().appendToStream(`${prefix}a`, newEvents(2));
      const error = await rejectionOf(
        append([
          { streamName: `${prefix}new`, events: [newEvent()], expectedRevision: 'no_stream' },
          { streamName: `${prefix}a`, events: [newEvent()], expectedRevision: 0n },
        ]),
        WrongExpectedVersionError,
      );
      expect(error.streamName).toBe(`${prefix}a`);
      expect(await eventsOf(store(), `${prefix}new`)).toEqual([]);
      expect(await store().readStream(`${prefix}a`)).toHaveLength(2);
      // The refused part left nothing behind: the new stream can still be created from nothing.
      await store().appendToStream(`${prefix}new`, [newEvent()], { expectedRevision: 'no_stream' });
    });

    it('answers the first refused part in the order given (a tombstone here)', async () => {
      const append = together();
      if (!append) return;
      const prefix = uniquePrefix('units');
      await store().appendToStream(`${prefix}gone`, [newEvent()]);
      await store().tombstoneStream(`${prefix}gone`);
      await store().appendToStream(`${prefix}a`, [newEvent()]);
      await rejectionOf(
        append([
          { streamName: `${prefix}a`, events: [newEvent()], expectedRevision: 0n },
          { streamName: `${prefix}gone`, events: [newEvent()] },
          { streamName: `${prefix}b`, events: [newEvent()], expectedRevision: 5n },
        ]),
        StreamDeletedError,
      );
      expect(await store().readStream(`${prefix}a`)).toHaveLength(1);
      expect(await eventsOf(store(), `${prefix}b`)).toEqual([]);
    });

    it('is retried idempotently: the same parts again give the original results and write nothing', async () => {
      const append = together();
      if (!append) return;
      const prefix = uniquePrefix('units');
      const parts: StreamAppend[] = [
        { streamName: `${prefix}a`, events: [newEvent()], expectedRevision: 'no_stream' },
        { streamName: `${prefix}b`, events: newEvents(2), expectedRevision: 'no_stream' },
      ];
      const original = await append(parts);
      await expect(append(parts)).resolves.toEqual(original);
      expect(await store().readStream(`${prefix}b`)).toHaveLength(2);
      // Ids stored in another place than a retry's: refused as appendToStream refuses them.
      await store().appendToStream(`${prefix}c`, [newEvent()]);
      await rejectionOf(
        append([
          { streamName: `${prefix}c`, events: [newEvent()], expectedRevision: 0n },
          { streamName: `${prefix}a`, events: [parts[0].events[0], newEvent()], expectedRevision: 0n },
        ]),
        DuplicateEventIdsError,
      );
      expect(await store().readStream(`${prefix}c`)).toHaveLength(1);
    });

    it('refuses no parts and two parts for one stream, before writing anything', async () => {
      const append = together();
      if (!append) return;
      const prefix = uniquePrefix('units');
      await rejectionOf(append([]), EventValidationError);
      await rejectionOf(
        append([
          { streamName: `${prefix}a`, events: [newEvent()] },
          { streamName: `${prefix}a`, events: [newEvent()] },
        ]),
        EventValidationError,
      );
      expect(await eventsOf(store(), `${prefix}a`)).toEqual([]);
    });

    it('lets one of many concurrent appends at one revision through, and none of the others part-way', async () => {
      const append = together();
      if (!append) return;
      const prefix = uniquePrefix('units');
      await store().appendToStream(`${prefix}shared`, [newEvent()]);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, n) =>
          append([
            {
              streamName: `${prefix}own${n}`,
              events: [newEvent('Own', { n })],
              expectedRevision: 'no_stream',
            },
            { streamName: `${prefix}shared`, events: [newEvent('Took', { n })], expectedRevision: 0n },
          ]),
        ),
      );
      const won = outcomes.flatMap((outcome, n) => (outcome.status === 'fulfilled' ? [n] : []));
      expect(won).toHaveLength(1);
      for (const [n, outcome] of outcomes.entries()) {
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(WrongExpectedVersionError);
        expect(await eventsOf(store(), `${prefix}own${n}`)).toHaveLength(n === won[0] ? 1 : 0);
      }
      const shared = await store().readStream(`${prefix}shared`);
      expect(shared.map((e) => e.data)).toEqual([expect.anything(), { n: won[0] }]);
    });

    it("chains each part's events onto its stream like any append", async () => {
      const append = together();
      const hashes = ctx.fixture().chainHashes;
      if (!append || !hashes) return;
      const prefix = uniquePrefix('units');
      await store().appendToStream(`${prefix}a`, [newEvent('A', { é: 'ü' })]);
      await append([
        {
          streamName: `${prefix}a`,
          events: [newEvent('B', [1, { b: 2, a: 1 }], { actor: 'x' })],
          expectedRevision: 0n,
        },
        {
          streamName: `${prefix}b`,
          events: [newEvent('C'), newEvent('D', 42.5)],
          expectedRevision: 'no_stream',
        },
      ]);
      for (const stream of [`${prefix}a`, `${prefix}b`]) {
        let previous = CHAIN_START;
        const expected = (await store().readStream(stream)).map(
          (event) => (previous = eventHash(previous, event)),
        );
        expect(await hashes(stream)).toEqual(expected);
      }
    });
  });
}
