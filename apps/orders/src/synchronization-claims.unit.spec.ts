import { randomUUID } from 'node:crypto';
import { synchronizationClaimStreamName } from '@prov/domain';
import { type EventStore, InMemoryEventStore } from '@prov/event-store';
import type { HeldLock } from '@prov/platform';
import { SYNCHRONIZATION_REPORT_TIMEOUT_MS } from '@prov/contracts';
import { HeldClaim, WAIT_FOR_RECORDING_MS } from './synchronization-claims';

const synchronizationId = randomUUID();
const claimStream = synchronizationClaimStreamName(synchronizationId);
const claim = { streamName: claimStream, synchronizationId, connectionId: 'corp_ldap' };
const outcome = { synchronizationId, verified: 1, nonConforming: 2, restoreOrders: 0 };
const metadata = {
  actor: 'synchronization',
  correlationId: synchronizationId,
  occurredAt: '2030-01-01T08:00:00.000Z',
};
const lock = { release: async () => undefined } as unknown as HeldLock;
const completion = () => ({
  streamName: 'sync-corp_ldap',
  events: [{ id: randomUUID(), type: 'SynchronizationCompleted', data: { synchronizationId } }],
});

/** A store without `appendToStreams`, as the EventStoreDB adapter is. */
function withoutAppendToStreams(store: EventStore): EventStore {
  return {
    appendToStream: store.appendToStream.bind(store),
    readStream: store.readStream.bind(store),
  } as unknown as EventStore;
}

async function claimed(store: EventStore) {
  const { nextExpectedRevision } = await store.appendToStream(claimStream, [
    { id: randomUUID(), type: 'SynchronizationClaimed', data: claim },
  ]);
  return nextExpectedRevision;
}

const typesOf = async (store: EventStore, stream: string) =>
  (await store.readStream(stream).catch(() => [])).map((event) => event.type);

describe.each([
  ['one append over both streams', (store: EventStore) => store],
  ['a store without appendToStreams (EventStoreDB)', withoutAppendToStreams],
])('completing a claimed synchronization report, on %s', (_name, adapt) => {
  it('appends the outcome to the claim and the events to the connection', async () => {
    const memory = new InMemoryEventStore();
    const store = adapt(memory);
    const held = new HeldClaim(store, lock, claim, await claimed(store));

    expect(await held.complete(completion(), outcome, metadata)).toBe(true);

    expect(await typesOf(memory, claimStream)).toEqual(['SynchronizationClaimed', 'SynchronizationRecorded']);
    expect(await typesOf(memory, 'sync-corp_ldap')).toEqual(['SynchronizationCompleted']);
  });

  it('writes nothing when another replica took the claim over meanwhile, and says so', async () => {
    const memory = new InMemoryEventStore();
    const store = adapt(memory);
    const held = new HeldClaim(store, lock, claim, await claimed(store));
    await claimed(store); // the takeover, at the next revision

    expect(await held.complete(completion(), outcome, metadata)).toBe(false);
    await held.abandon('Error', metadata);

    expect(await typesOf(memory, claimStream)).toEqual(['SynchronizationClaimed', 'SynchronizationClaimed']);
    expect(await typesOf(memory, 'sync-corp_ldap')).toEqual([]);
  });
});

describe('a delivery waiting for a recording in progress', () => {
  it('gives up (409) well before the shortest caller stops listening for the answer', () => {
    // The agent's and the manual import's one-message reports: 60 s. A 409 after that reaches nobody.
    expect(SYNCHRONIZATION_REPORT_TIMEOUT_MS - WAIT_FOR_RECORDING_MS).toBeGreaterThanOrEqual(10_000);
  });
});
