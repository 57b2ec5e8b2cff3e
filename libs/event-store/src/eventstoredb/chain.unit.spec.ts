import { CHAIN_START, eventHash } from '../core/hash-chain';
import { prepareAppend } from '../core/validation';
import { CHAIN_HASH_KEY, callerMetadata, chainEvents, chainHashOf, planChainedAppend } from './chain';

// The adapter cannot be run against a server here; these checks cover its chain decisions.
describe('EventStoreDB hash chain', () => {
  const ids = ['a', 'b'];

  it('chains the events of an append after the previous hash, the hash hidden in metadata', () => {
    const { events } = prepareAppend(
      's',
      [
        { id: '00000000-0000-4000-8000-000000000001', type: 'A', data: { n: 1 }, metadata: { actor: 'x' } },
        { id: '00000000-0000-4000-8000-000000000002', type: 'B', data: null },
      ],
      'any',
    );
    const [first, second] = chainEvents('ab', 4n, events);
    const h1 = eventHash('ab', { type: 'A', data: { n: 1 }, metadata: { actor: 'x' }, revision: 5n });
    expect(chainHashOf(first.metadata)).toBe(h1);
    expect(chainHashOf(second.metadata)).toBe(
      eventHash(h1, { type: 'B', data: null, metadata: {}, revision: 6n }),
    );
    expect(callerMetadata(first.metadata)).toEqual({ actor: 'x' });
    expect(first.metadata).toHaveProperty([CHAIN_HASH_KEY]);
  });

  it("pins 'any' and 'stream_exists' to the revision read, so a concurrent writer is refused", () => {
    const tail = { last: { revision: 7n, hash: 'ff' }, tailIds: ['x', 'y'] };
    expect(planChainedAppend('any', tail, ids)).toEqual({
      retry: false,
      previous: 'ff',
      lastRevision: 7n,
      expectedRevision: 7n,
    });
    expect(planChainedAppend('stream_exists', tail, ids)).toEqual({
      retry: false,
      previous: 'ff',
      lastRevision: 7n,
      expectedRevision: 7n,
    });
    expect(planChainedAppend('any', { tailIds: [] }, ids)).toEqual({
      retry: false,
      previous: CHAIN_START,
      lastRevision: -1n,
      expectedRevision: 'no_stream',
    });
  });

  it('continues after a soft delete and leaves exact revisions to the server', () => {
    const deleted = { last: { revision: 3n, hash: 'cc' }, tailIds: [] };
    expect(planChainedAppend('no_stream', deleted, ids)).toEqual({
      retry: false,
      previous: 'cc',
      lastRevision: 3n,
      expectedRevision: 'no_stream',
    });
    expect(planChainedAppend('any', deleted, ids)).toEqual({
      retry: false,
      previous: 'cc',
      lastRevision: 3n,
      expectedRevision: 3n,
    });
    expect(planChainedAppend(3n, deleted, ids)).toEqual({
      retry: false,
      previous: 'cc',
      lastRevision: 3n,
      expectedRevision: 3n,
    });
    expect(planChainedAppend(2n, deleted, ids)).toEqual(
      expect.objectContaining({ lastRevision: 2n, expectedRevision: 2n }),
    );
  });

  it('recognises an exact re-append of the tail as a retry', () => {
    expect(
      planChainedAppend('any', { last: { revision: 1n, hash: 'aa' }, tailIds: ['a', 'b'] }, ids),
    ).toEqual({ retry: true });
  });
});
