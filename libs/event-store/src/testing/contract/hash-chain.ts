/**
 * Contract: tamper evidence (ADR 0016, ADR 0026). Every adapter chains each stream's events with
 * the shared `eventHash`, verifies the chains, and names an event changed behind its back where
 * the fixture can change one.
 */
import { CHAIN_START, type ChainKeeper, eventHash, keepsHashChain } from '../../core/hash-chain';
import type { EventStore } from '../../core/event-store';
import type { RecordedEvent } from '../../core/types';
import { type ContractContext, newEvent, readAllThrough, uniquePrefix, uniqueStream } from './helpers';

/** Data whose JSON text differs from `jsonb`'s: key order and spacing, exponents, escapes, non-ASCII. */
const awkward = () => ({
  zeta: 1,
  a: [1e21, 1.5e-7, -0.25, 0, true, null],
  mm: { é: 'ü ☃ "quoted" \\ \n\t\u0001', bb: {}, a: [] },
  at: new Date('2026-12-02T10:00:00.000Z'),
});

function chained(store: EventStore): EventStore & ChainKeeper {
  if (!keepsHashChain(store))
    throw new Error('the adapter does not keep the hash chain (verifyChain missing)');
  return store;
}

/** The hashes the shared function gives the events as read back. */
function expectedHashes(events: RecordedEvent[]): string[] {
  let previous = CHAIN_START;
  return events.map((event) => (previous = eventHash(previous, event)));
}

export function hashChainContract(ctx: ContractContext): void {
  const store = () => chained(ctx.fixture().store);

  describe('hash chain', () => {
    it('chains single, multi-event and concurrent appends; one stream and the whole store verify', async () => {
      const stream = uniqueStream('chain');
      await store().appendToStream(stream, [newEvent('A', awkward(), { actor: 'x', n: 1e-7 })]);
      await store().appendToStream(stream, [newEvent('B'), newEvent('C', 'text')], { expectedRevision: 0n });
      await Promise.all([1, 2, 3].map((n) => store().appendToStream(stream, [newEvent('D', { n })])));
      await expect(store().verifyChain({ streamName: stream })).resolves.toEqual({
        ok: true,
        streamsChecked: 1,
        eventsChecked: 6,
      });
      const all = await store().verifyChain({ pageSize: 2 });
      expect(all).toEqual(expect.objectContaining({ ok: true }));
      expect(all.eventsChecked).toBeGreaterThanOrEqual(6);
    });

    it('stores the shared eventHash of each event, as read back', async () => {
      const hashes = ctx.fixture().chainHashes;
      if (!hashes) return; // the adapter's storage is not readable from the test
      const stream = uniqueStream('chain');
      await store().appendToStream(stream, [
        newEvent('A', awkward(), { actor: 'é' }),
        newEvent('B', [1, { b: 2, a: 1 }]),
      ]);
      await store().appendToStream(stream, [newEvent('C', 42.5)]);
      expect(await hashes(stream)).toEqual(expectedHashes(await store().readStream(stream)));
    });

    it('continues the chain when a soft-deleted stream is written again', async () => {
      const stream = uniqueStream('chain');
      await store().appendToStream(stream, [newEvent(), newEvent()]);
      await store().deleteStream(stream);
      await store().appendToStream(stream, [newEvent('Again')], { expectedRevision: 'no_stream' });
      await store().appendToStream(stream, [newEvent('AndAgain')]);
      await expect(store().verifyChain({ streamName: stream })).resolves.toEqual(
        expect.objectContaining({ ok: true }),
      );
    });

    it('names the changed event, and only it; put back, the chain verifies again', async () => {
      const tamper = ctx.fixture().tamper;
      if (!tamper) return; // an immutable log cannot be changed behind the adapter's back
      const stream = uniqueStream('chain');
      await store().appendToStream(stream, [newEvent('A'), newEvent('B'), newEvent('C')]);
      const [changed] = await store().readStream(stream, { fromRevision: 1n, maxCount: 1 });
      const restore = await tamper(stream, 1n);
      try {
        const one = await store().verifyChain({ streamName: stream });
        expect(one).toEqual(
          expect.objectContaining({
            ok: false,
            firstBreak: { streamName: stream, revision: 1n, eventId: changed.id },
          }),
        );
        const all = await store().verifyChain({ pageSize: 3 });
        expect(all.firstBreak).toEqual({ streamName: stream, revision: 1n, eventId: changed.id });
      } finally {
        await restore();
      }
      await expect(store().verifyChain({ streamName: stream })).resolves.toEqual(
        expect.objectContaining({ ok: true }),
      );
    });

    it('a replay of the log written into other streams gives the same chain (hashes cover content, not ids)', async () => {
      const prefix = uniquePrefix('replay');
      const source = `${prefix}source`;
      const copy = `${prefix}copy`;
      const first = await store().appendToStream(source, [
        newEvent('A', awkward()),
        newEvent('B', { b: 1 }, { actor: 'y' }),
      ]);
      const last = await store().appendToStream(source, [newEvent('C')]);
      // As a rebuild does: read the global log through, then write what it read somewhere else.
      const { events } = await readAllThrough(store(), last.position, {
        filter: { streamNamePrefixes: [source] },
      });
      expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      for (const event of events) {
        await store().appendToStream(copy, [newEvent(event.type, event.data, event.metadata)]);
      }
      await expect(store().verifyChain({ streamName: source })).resolves.toEqual({
        ok: true,
        streamsChecked: 1,
        eventsChecked: 3,
      });
      await expect(store().verifyChain({ streamName: copy })).resolves.toEqual({
        ok: true,
        streamsChecked: 1,
        eventsChecked: 3,
      });
      const hashes = ctx.fixture().chainHashes;
      if (hashes) expect(await hashes(copy)).toEqual(await hashes(source));
      expect(first.nextExpectedRevision).toBe(1n);
    });
  });
}
