/** Contract: appends, the expected-revision forms, input validation and racing writers. */
import { randomUUID } from 'node:crypto';
import { EventStoreError, EventValidationError, WrongExpectedVersionError } from '../../core/errors';
import { comparePositions } from '../../core/position';
import type { EventData, ExpectedRevision } from '../../core/types';
import { type ContractContext, SLOW, newEvent, newEvents, rejectionOf, uniqueStream } from './helpers';

export function appendingContract(ctx: ContractContext): void {
  const store = () => ctx.fixture().store;

  async function expectWrongVersion(
    stream: string,
    expectedRevision: ExpectedRevision,
    actualRevision: bigint | 'no_stream',
  ): Promise<void> {
    const before = await store()
      .readStream(stream)
      .catch(() => []);
    const error = await rejectionOf(
      store().appendToStream(stream, [newEvent()], { expectedRevision }),
      WrongExpectedVersionError,
    );
    expect(error).toBeInstanceOf(EventStoreError);
    expect({
      streamName: error.streamName,
      expected: error.expectedRevision,
      actual: error.actualRevision,
    }).toEqual({
      streamName: stream,
      expected: expectedRevision,
      actual: actualRevision,
    });
    expect(error.message).toContain(stream);
    const after = await store()
      .readStream(stream)
      .catch(() => []);
    expect(after).toHaveLength(before.length); // nothing written
  }

  describe('appendToStream: expected revision', () => {
    it("'any' (the default) creates a stream, then appends to it", async () => {
      const stream = uniqueStream('any');
      const first = await store().appendToStream(stream, [newEvent()]);
      expect(first.nextExpectedRevision).toBe(0n);
      const second = await store().appendToStream(stream, newEvents(2), { expectedRevision: 'any' });
      expect(second.nextExpectedRevision).toBe(2n);
      expect(comparePositions(second.position, first.position)).toBe(1);
      const events = await store().readStream(stream);
      expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      expect(events[0].position).toBe(first.position);
      expect(events[2].position).toBe(second.position);
    });

    it("'no_stream' creates a new stream", async () => {
      const stream = uniqueStream('nostream');
      const result = await store().appendToStream(stream, newEvents(2), { expectedRevision: 'no_stream' });
      expect(result.nextExpectedRevision).toBe(1n);
    });

    it("'no_stream' on an existing stream fails with the stream's revision", async () => {
      const stream = uniqueStream('nostream');
      await store().appendToStream(stream, newEvents(2));
      await expectWrongVersion(stream, 'no_stream', 1n);
    });

    it("'stream_exists' on a missing stream fails with actual 'no_stream'", async () => {
      await expectWrongVersion(uniqueStream('exists'), 'stream_exists', 'no_stream');
    });

    it("'stream_exists' on an existing stream appends", async () => {
      const stream = uniqueStream('exists');
      await store().appendToStream(stream, [newEvent()]);
      const result = await store().appendToStream(stream, [newEvent()], {
        expectedRevision: 'stream_exists',
      });
      expect(result.nextExpectedRevision).toBe(1n);
    });

    it('an exact revision appends when it is the last revision (0n after one event)', async () => {
      const stream = uniqueStream('exact');
      await store().appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
      const second = await store().appendToStream(stream, newEvents(3), { expectedRevision: 0n });
      expect(second.nextExpectedRevision).toBe(3n);
      const third = await store().appendToStream(stream, [newEvent()], { expectedRevision: 3n });
      expect(third.nextExpectedRevision).toBe(4n);
    });

    it('a wrong exact revision fails: ahead, stale, or on a missing stream', async () => {
      const stream = uniqueStream('exact');
      await store().appendToStream(stream, newEvents(3));
      await expectWrongVersion(stream, 7n, 2n);
      await expectWrongVersion(stream, 0n, 2n);
      await expectWrongVersion(stream, 1n, 2n);
      await expectWrongVersion(uniqueStream('missing'), 0n, 'no_stream');
    });
  });

  describe('appendToStream: validation', () => {
    const valid = (): EventData => newEvent();
    const cases: Array<[string, () => [unknown, unknown, unknown?], string]> = [
      ['an empty stream name', () => ['', [valid()]], 'streamName'],
      ['a non-UUID id', () => [uniqueStream('v'), [{ ...valid(), id: 'order-1' }]], 'events[0].id'],
      ['an empty type', () => [uniqueStream('v'), [valid(), { ...valid(), type: '' }]], 'events[1].type'],
      [
        'the same id twice in one append',
        () => {
          const event = valid();
          return [uniqueStream('v'), [event, { ...event, type: 'Other' }]];
        },
        'events[1].id',
      ],
      ['no events', () => [uniqueStream('v'), []], 'events'],
      [
        'a numeric expected revision',
        () => [uniqueStream('v'), [valid()], { expectedRevision: 1 }],
        'options.expectedRevision',
      ],
      [
        'data that is not JSON',
        () => [uniqueStream('v'), [{ ...valid(), data: { big: 1n } }]],
        'events[0].data',
      ],
    ];
    it.each(cases)('rejects %s, naming the field', async (_label, input, field) => {
      const [stream, events, options] = input();
      const error = await rejectionOf(
        store().appendToStream(stream as string, events as EventData[], options as never),
        EventValidationError,
      );
      expect(error.field).toBe(field);
      expect(error.message).toContain(field);
    });
  });

  describe('appendToStream: concurrent writers', () => {
    it(
      'of 20 writers with the same expected revision, exactly one wins',
      async () => {
        const stream = uniqueStream('race');
        await store().appendToStream(stream, [newEvent()]);
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () =>
            store().appendToStream(stream, [newEvent()], { expectedRevision: 0n }),
          ),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        for (const failure of lost) {
          expect(failure.reason).toBeInstanceOf(WrongExpectedVersionError);
          expect((failure.reason as WrongExpectedVersionError).actualRevision).toBe(1n);
        }
        expect(await store().readStream(stream)).toHaveLength(2);
      },
      SLOW,
    );

    it(
      "of 20 writers creating one stream with 'no_stream', exactly one wins",
      async () => {
        const stream = uniqueStream('race');
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () =>
            store().appendToStream(stream, newEvents(2), { expectedRevision: 'no_stream' }),
          ),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await store().readStream(stream)).toHaveLength(2);
      },
      SLOW,
    );

    it(
      "writers of different streams do not get in each other's way",
      async () => {
        const streams = Array.from({ length: 20 }, () => uniqueStream('parallel'));
        const results = await Promise.all(
          streams.map((stream) =>
            store().appendToStream(stream, newEvents(3), { expectedRevision: 'no_stream' }),
          ),
        );
        expect(results.every((r) => r.nextExpectedRevision === 2n)).toBe(true);
        expect(new Set(results.map((r) => r.position)).size).toBe(20);
      },
      SLOW,
    );

    it('accepts upper-case UUIDs and returns them in canonical lower case', async () => {
      const stream = uniqueStream('case');
      const id = randomUUID().toUpperCase();
      await store().appendToStream(stream, [{ id, type: 'T', data: {} }]);
      const [event] = await store().readStream(stream);
      expect(event.id).toBe(id.toLowerCase());
    });
  });
}
