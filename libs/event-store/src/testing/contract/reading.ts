/** Contract: reading one stream, and reading many events back from a stream and the global log. */
import { EventStoreError, StreamNotFoundError } from '../../core/errors';
import { comparePositions } from '../../core/position';
import {
  type ContractContext,
  SLOW,
  newEvent,
  newEvents,
  readAllThrough,
  rejectionOf,
  uniquePrefix,
  uniqueStream,
} from './helpers';

export function readingContract(ctx: ContractContext): void {
  const store = () => ctx.fixture().store;

  describe('readStream', () => {
    let stream: string;
    beforeAll(async () => {
      stream = uniqueStream('read');
      await store().appendToStream(stream, newEvents(10));
    });
    const revisions = async (options: Parameters<ReturnType<typeof store>['readStream']>[1]) =>
      (await store().readStream(stream, options)).map((e) => Number(e.revision));

    it('reads forwards from a revision, up to maxCount', async () => {
      expect(await revisions({})).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(await revisions({ fromRevision: 3n, maxCount: 4 })).toEqual([3, 4, 5, 6]);
      expect(await revisions({ fromRevision: 8n })).toEqual([8, 9]);
      expect(await revisions({ fromRevision: 10n })).toEqual([]);
      expect(await revisions({ maxCount: 0 })).toEqual([]);
    });

    it('reads backwards, from the end or from a revision', async () => {
      expect(await revisions({ direction: 'backwards' })).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      expect(await revisions({ direction: 'backwards', maxCount: 2 })).toEqual([9, 8]);
      expect(await revisions({ direction: 'backwards', fromRevision: 5n, maxCount: 3 })).toEqual([5, 4, 3]);
    });

    it('fails with StreamNotFoundError for a stream that was never written', async () => {
      const missing = uniqueStream('missing');
      const error = await rejectionOf(store().readStream(missing), StreamNotFoundError);
      expect(error).toBeInstanceOf(EventStoreError);
      expect(error.streamName).toBe(missing);
    });

    it('returns what was appended: id, type, JSON data, metadata, creation time', async () => {
      const target = uniqueStream('fields');
      const data = { name: 'Zoë Ünïcode ✓', nested: { list: [1, 'two', null, true] }, amount: 12.5 };
      const withMetadata = newEvent('AccessGranted', data, { correlationId: 'c-1', actor: 'alice' });
      const withoutMetadata = newEvent('AccessRevoked', ['plain', 'array']);
      const before = Date.now();
      await store().appendToStream(target, [withMetadata, withoutMetadata]);
      const [first, second] = await store().readStream(target);
      expect(first).toMatchObject({
        streamName: target,
        revision: 0n,
        id: withMetadata.id,
        type: 'AccessGranted',
        data,
        metadata: { correlationId: 'c-1', actor: 'alice' },
      });
      expect(second).toMatchObject({ id: withoutMetadata.id, data: ['plain', 'array'], metadata: {} });
      expect(first.createdAt).toBeInstanceOf(Date);
      expect(Math.abs(first.createdAt.getTime() - before)).toBeLessThan(60_000);
    });

    it('hands out copies: changing a read event does not change the store', async () => {
      const target = uniqueStream('copy');
      await store().appendToStream(target, [newEvent('T', { value: 1 })]);
      const [read] = await store().readStream(target);
      (read.data as { value: number }).value = 2;
      const [again] = await store().readStream(target);
      expect(again.data).toEqual({ value: 1 });
    });
  });

  describe('10,000 events', () => {
    it(
      'read back in order from their stream and from the global log, page by page',
      async () => {
        const prefix = uniquePrefix('bulk');
        const stream = `${prefix}s`;
        const before = await store().appendToStream(`${prefix}before`, [newEvent('Before')]);
        let last = before;
        for (let batch = 0; batch < 20; batch += 1) {
          last = await store().appendToStream(stream, newEvents(500, 'Bulk', batch * 500), {
            expectedRevision: batch === 0 ? 'no_stream' : BigInt(batch * 500 - 1),
          });
        }
        expect(last.nextExpectedRevision).toBe(9999n);

        const fromStream = await store().readStream(stream);
        expect(fromStream).toHaveLength(10_000);
        const inOrder = fromStream.every(
          (e, i) => e.revision === BigInt(i) && (e.data as { n: number }).n === i,
        );
        expect(inOrder).toBe(true);

        const { events, pages } = await readAllThrough(store(), last.position, {
          after: before.position,
          pageSize: 1000,
        });
        expect(events).toHaveLength(10_000);
        expect(pages).toBeGreaterThanOrEqual(10);
        expect(events.map((e) => e.id)).toEqual(fromStream.map((e) => e.id));
        const increasing = events.every(
          (e, i) => i === 0 || comparePositions(events[i - 1].position, e.position) === -1,
        );
        expect(increasing).toBe(true);
        expect(events.map((e) => e.position)).toEqual(fromStream.map((e) => e.position));

        const filtered = await readAllThrough(store(), last.position, {
          filter: { streamNamePrefixes: [prefix] },
          pageSize: 1000,
        });
        const [beforeEvent] = await store().readStream(`${prefix}before`);
        expect(filtered.events.map((e) => e.id)).toEqual([beforeEvent.id, ...fromStream.map((e) => e.id)]);
      },
      SLOW,
    );
  });
}
