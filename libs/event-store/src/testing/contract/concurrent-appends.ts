/**
 * Contract: appends that run at the same time (which the PostgreSQL adapter sends as one group
 * commit) each keep their own verdict. One conflicting, tombstoned or duplicate append fails
 * alone; the others are stored, and a retry in the same group is still a retry.
 */
import { DuplicateEventIdsError, StreamDeletedError, WrongExpectedVersionError } from '../../core/errors';
import { type ContractContext, SLOW, newEvent, newEvents, uniqueStream } from './helpers';

export function concurrentAppendsContract(ctx: ContractContext): void {
  const store = () => ctx.fixture().store;

  describe('appendToStream: concurrent appends to different streams', () => {
    it(
      'of 16 at once, the one with a wrong expected revision fails alone',
      async () => {
        const streams = Array.from({ length: 16 }, () => uniqueStream('group'));
        await Promise.all(streams.map((s) => store().appendToStream(s, newEvents(2))));
        const results = await Promise.allSettled(
          streams.map((stream, index) =>
            store().appendToStream(stream, [newEvent('Next', { index })], {
              expectedRevision: index === 7 ? 0n : 1n,
            }),
          ),
        );
        results.forEach((result, index) => {
          if (index === 7) {
            expect(result.status).toBe('rejected');
            const error = (result as PromiseRejectedResult).reason as WrongExpectedVersionError;
            expect(error).toBeInstanceOf(WrongExpectedVersionError);
            expect([error.streamName, error.expectedRevision, error.actualRevision]).toEqual([
              streams[7],
              0n,
              1n,
            ]);
          } else {
            expect(result).toEqual({
              status: 'fulfilled',
              value: expect.objectContaining({ nextExpectedRevision: 2n }),
            });
          }
        });
        const lengths = await Promise.all(streams.map(async (s) => (await store().readStream(s)).length));
        expect(lengths).toEqual(streams.map((_, index) => (index === 7 ? 2 : 3)));
      },
      SLOW,
    );

    it(
      'a tombstoned stream, a partial duplicate and a new stream at once: each gets its own answer',
      async () => {
        const [dead, dup, fresh, later] = ['dead', 'dup', 'fresh', 'later'].map(uniqueStream);
        await store().tombstoneStream(dead);
        const stored = newEvents(2);
        await store().appendToStream(dup, stored);
        const [toDead, toDup, toFresh, toLater] = await Promise.allSettled([
          store().appendToStream(dead, [newEvent()]),
          store().appendToStream(dup, [stored[1], newEvent()]),
          store().appendToStream(fresh, newEvents(3), { expectedRevision: 'no_stream' }),
          store().appendToStream(later, [newEvent()], { expectedRevision: 'stream_exists' }),
        ]);
        expect((toDead as PromiseRejectedResult).reason).toBeInstanceOf(StreamDeletedError);
        const duplicate = (toDup as PromiseRejectedResult).reason as DuplicateEventIdsError;
        expect(duplicate).toBeInstanceOf(DuplicateEventIdsError);
        expect(duplicate.duplicateIds).toEqual([stored[1].id]);
        expect(toFresh).toEqual({
          status: 'fulfilled',
          value: expect.objectContaining({ nextExpectedRevision: 2n }),
        });
        expect((toLater as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
        expect(await store().readStream(fresh)).toHaveLength(3);
        expect(await store().readStream(dup)).toHaveLength(2);
        // The failed 'stream_exists' append left no stream behind: 'no_stream' still holds.
        await expect(
          store().appendToStream(later, [newEvent()], { expectedRevision: 'no_stream' }),
        ).resolves.toEqual(expect.objectContaining({ nextExpectedRevision: 0n }));
      },
      SLOW,
    );

    it(
      'the same append sent twice at once is stored once and both calls get its result',
      async () => {
        const stream = uniqueStream('twice');
        const events = newEvents(2);
        const others = Array.from({ length: 6 }, () => uniqueStream('around'));
        const [first, second] = await Promise.all([
          store().appendToStream(stream, events, { expectedRevision: 'no_stream' }),
          store().appendToStream(stream, events, { expectedRevision: 'no_stream' }),
          ...others.map((s) => store().appendToStream(s, [newEvent()])),
        ]);
        expect(second).toEqual(first);
        expect((await store().readStream(stream)).map((e) => e.id)).toEqual(events.map((e) => e.id));
      },
      SLOW,
    );
  });
}
