/** Contract: soft delete (EventStoreDB's `$tb`) and tombstones. */
import { StreamDeletedError, StreamNotFoundError, WrongExpectedVersionError } from '../../core/errors';
import { type ContractContext, newEvent, newEvents, rejectionOf, uniqueStream } from './helpers';

export function deletionContract(ctx: ContractContext): void {
  const store = () => ctx.fixture().store;

  describe('deleteStream (soft)', () => {
    it('makes the stream read as not found', async () => {
      const stream = uniqueStream('soft');
      await store().appendToStream(stream, newEvents(2));
      await store().deleteStream(stream);
      await rejectionOf(store().readStream(stream), StreamNotFoundError);
    });

    it("lets the stream be written again with 'no_stream', continuing its revisions", async () => {
      const stream = uniqueStream('soft');
      await store().appendToStream(stream, newEvents(2));
      await store().deleteStream(stream);
      const again = newEvent('Recreated');
      const result = await store().appendToStream(stream, [again], { expectedRevision: 'no_stream' });
      expect(result.nextExpectedRevision).toBe(2n);
      const events = await store().readStream(stream);
      expect(events.map((e) => [e.id, e.revision])).toEqual([[again.id, 2n]]);
    });

    it('lets the stream be written again with its last revision, and not with stream_exists', async () => {
      const stream = uniqueStream('soft');
      await store().appendToStream(stream, newEvents(2));
      await store().deleteStream(stream, { expectedRevision: 1n });
      const error = await rejectionOf(
        store().appendToStream(stream, [newEvent()], { expectedRevision: 'stream_exists' }),
        WrongExpectedVersionError,
      );
      expect(error.actualRevision).toBe('no_stream');
      const result = await store().appendToStream(stream, [newEvent()], { expectedRevision: 1n });
      expect(result.nextExpectedRevision).toBe(2n);
    });

    it('checks the expected revision and keeps the stream when it is wrong', async () => {
      const stream = uniqueStream('soft');
      await store().appendToStream(stream, newEvents(2));
      await rejectionOf(store().deleteStream(stream, { expectedRevision: 0n }), WrongExpectedVersionError);
      expect(await store().readStream(stream)).toHaveLength(2);
    });

    it('does nothing to a stream that does not exist', async () => {
      const stream = uniqueStream('soft');
      await store().deleteStream(stream);
      await rejectionOf(store().readStream(stream), StreamNotFoundError);
      const result = await store().appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
      expect(result.nextExpectedRevision).toBe(0n);
    });
  });

  describe('tombstoneStream (hard)', () => {
    it('makes every later read and write fail with StreamDeletedError', async () => {
      const stream = uniqueStream('hard');
      const events = newEvents(2);
      await store().appendToStream(stream, events);
      await store().tombstoneStream(stream);
      const readError = await rejectionOf(store().readStream(stream), StreamDeletedError);
      expect(readError.streamName).toBe(stream);
      for (const expectedRevision of ['any', 'no_stream', 'stream_exists', 1n] as const) {
        await rejectionOf(
          store().appendToStream(stream, [newEvent()], { expectedRevision }),
          StreamDeletedError,
        );
      }
      // Not even a retry of what is stored succeeds.
      await rejectionOf(store().appendToStream(stream, events), StreamDeletedError);
      await rejectionOf(store().tombstoneStream(stream), StreamDeletedError);
      await rejectionOf(store().deleteStream(stream), StreamDeletedError);
    });

    it('also applies to a stream that was never written, and to a soft-deleted one', async () => {
      const never = uniqueStream('hard');
      await store().tombstoneStream(never);
      await rejectionOf(store().appendToStream(never, [newEvent()]), StreamDeletedError);
      const soft = uniqueStream('hard');
      await store().appendToStream(soft, [newEvent()]);
      await store().deleteStream(soft);
      await store().tombstoneStream(soft);
      await rejectionOf(store().readStream(soft), StreamDeletedError);
    });
  });
}
