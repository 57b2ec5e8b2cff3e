/**
 * Contract: an append retried with the same event ids (e.g. after a timeout whose outcome was
 * unknown) returns the original result and writes nothing; an append that overlaps earlier ids
 * without being a retry is an error, and writes nothing either.
 */
import { DuplicateEventIdsError } from '../../core/errors';
import type { AppendResult, EventData, ExpectedRevision } from '../../core/types';
import {
  type ContractContext,
  newEvent,
  newEvents,
  readAllThrough,
  rejectionOf,
  uniquePrefix,
} from './helpers';

export function idempotencyContract(ctx: ContractContext): void {
  const store = () => ctx.fixture().store;

  /** Appends, retries the same append, and checks the result is the same and nothing was added. */
  async function expectRetryIsNoOp(
    prefix: string,
    stream: string,
    events: EventData[],
    expectedRevision: ExpectedRevision,
    original: AppendResult,
  ): Promise<void> {
    const before = await store().readStream(stream);
    const retried = await store().appendToStream(stream, events, { expectedRevision });
    expect(retried).toEqual(original);
    expect(await store().readStream(stream)).toEqual(before);
    // Nothing reached the global log between the original append and a marker written afterwards.
    const marker = await store().appendToStream(`${prefix}marker`, [newEvent('Marker')]);
    const { events: logged } = await readAllThrough(store(), marker.position, {
      after: before.at(-1)!.position,
      filter: { streamNamePrefixes: [prefix] },
    });
    expect(logged.map((e) => e.type)).toEqual(['Marker']);
  }

  describe('appendToStream: idempotent retries', () => {
    it("with 'any', returns the original result and writes nothing", async () => {
      const prefix = uniquePrefix('idem');
      const stream = `${prefix}s`;
      const events = newEvents(2);
      const original = await store().appendToStream(stream, events, { expectedRevision: 'any' });
      await expectRetryIsNoOp(prefix, stream, events, 'any', original);
    });

    it("with 'no_stream', even after the stream has grown", async () => {
      const prefix = uniquePrefix('idem');
      const stream = `${prefix}s`;
      const events = newEvents(2);
      const original = await store().appendToStream(stream, events, { expectedRevision: 'no_stream' });
      await store().appendToStream(stream, [newEvent()]);
      await expectRetryIsNoOp(prefix, stream, events, 'no_stream', original);
    });

    it("with 'stream_exists'", async () => {
      const prefix = uniquePrefix('idem');
      const stream = `${prefix}s`;
      await store().appendToStream(stream, [newEvent()]);
      const events = newEvents(3);
      const original = await store().appendToStream(stream, events, { expectedRevision: 'stream_exists' });
      await expectRetryIsNoOp(prefix, stream, events, 'stream_exists', original);
    });

    it('with an exact revision, including a stale one that matched at the time', async () => {
      const prefix = uniquePrefix('idem');
      const stream = `${prefix}s`;
      await store().appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
      const events = newEvents(2);
      const original = await store().appendToStream(stream, events, { expectedRevision: 0n });
      expect(original.nextExpectedRevision).toBe(2n);
      await store().appendToStream(stream, [newEvent()], { expectedRevision: 2n });
      await expectRetryIsNoOp(prefix, stream, events, 0n, original);
    });
  });

  describe('appendToStream: overlapping ids that are no retry', () => {
    it('rejects a partially duplicate append, says which ids, and writes nothing', async () => {
      const stream = `${uniquePrefix('dup')}s`;
      const [a, b] = newEvents(2);
      await store().appendToStream(stream, [a, b]);
      const c = newEvent();
      const error = await rejectionOf(store().appendToStream(stream, [b, c]), DuplicateEventIdsError);
      expect(error).toMatchObject({
        streamName: stream,
        reason: 'partial',
        duplicateIds: [b.id],
        newIds: [c.id],
      });
      expect(error.message).toContain(b.id);
      expect((await store().readStream(stream)).map((e) => e.id)).toEqual([a.id, b.id]);
    });

    it('rejects known ids in another order or at other revisions, and writes nothing', async () => {
      const stream = `${uniquePrefix('dup')}s`;
      const [a, b] = newEvents(2);
      await store().appendToStream(stream, [a, b]);
      const reordered = await rejectionOf(store().appendToStream(stream, [b, a]), DuplicateEventIdsError);
      expect(reordered.reason).toBe('different-revisions');
      const moved = await rejectionOf(
        store().appendToStream(stream, [a], { expectedRevision: 1n }),
        DuplicateEventIdsError,
      );
      expect(moved).toMatchObject({ reason: 'different-revisions', duplicateIds: [a.id], newIds: [] });
      expect(await store().readStream(stream)).toHaveLength(2);
    });

    it('treats the same id in another stream as a different event', async () => {
      const prefix = uniquePrefix('dup');
      const event = newEvent();
      await store().appendToStream(`${prefix}one`, [event]);
      const other = await store().appendToStream(`${prefix}two`, [event]);
      expect(other.nextExpectedRevision).toBe(0n);
    });
  });
}
