import type { Pool } from 'pg';
import { type AssignmentEvent, assignmentStreamName } from '@prov/domain';
import { type EventStore, InMemoryEventStore } from '@prov/event-store';
import { AccountOwnership, accountKeyStreamName } from './account-ownership';
import { AssignmentCommands } from './assignment-commands';

const metadata = { correlationId: 'c-1', actor: 'orders', occurredAt: '2030-01-01T08:00:00.000Z' };
const key = { connectionId: 'corp_ldap', accountKey: 'jdoe' };
const jane = { ...key, identityId: 'jane.doe', assignmentId: 'a-1' };
const john = { ...key, identityId: 'john.doe', assignmentId: 'a-2' };

/** jane.doe's assignment a-1 with a Pending order that adds the account jdoe. */
const janeHoldsTheKey: AssignmentEvent[] = [
  {
    type: 'AssignmentRequested',
    data: {
      assignmentId: 'a-1',
      identityId: 'jane.doe',
      entitlementId: 'ldap_staff',
      at: '2030-01-01T08:00:00.000Z',
    },
  },
  {
    type: 'ProvisioningOrderGenerated',
    data: {
      assignmentId: 'a-1',
      orderId: 'o-1',
      at: '2030-01-01T08:01:00.000Z',
      identityId: 'jane.doe',
      entitlementId: 'ldap_staff',
      changeType: 'Added',
      connectionId: 'corp_ldap',
      resourceTypeId: 'ldap_account',
      fulfillment: 'automatic',
      changes: { accountKey: 'jdoe', attributes: {} },
      requiresReview: false,
      outcome: 'ReadyForProvisioning',
      reevaluated: false,
      attempt: 1,
      provisioningState: 'Pending',
      provisioningStateCode: 1,
    },
  },
] as AssignmentEvent[];

describe('claiming an account key', () => {
  let store: InMemoryEventStore;
  let reads: string[];
  let ownership: AccountOwnership;

  beforeEach(() => {
    store = new InMemoryEventStore();
    reads = [];
    const counting: EventStore = Object.create(store);
    counting.readStream = (stream, ...rest) => {
      reads.push(stream);
      return store.readStream(stream, ...rest);
    };
    // No orders from before claim streams existed: the read model names no holder.
    const pool = { query: async () => ({ rows: [] }) } as unknown as Pool;
    ownership = new AccountOwnership(counting, pool, new AssignmentCommands(counting));
  });

  const claims = async () =>
    (await store.readStream(accountKeyStreamName('corp_ldap', 'jdoe'))).map((e) => e.data);

  it('claims a key met for the first time without reading its stream', async () => {
    expect(await ownership.claim(jane, metadata)).toBeUndefined();
    expect(reads).toEqual([]);
    expect(await claims()).toEqual([jane]);
  });

  it('reads the earlier claims when the stream exists, and refuses a key another identity holds', async () => {
    await store.appendToStream(
      assignmentStreamName('a-1'),
      janeHoldsTheKey.map((event, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, ...event })),
      { expectedRevision: 'no_stream' },
    );
    await ownership.claim(jane, metadata);
    const conflict = await ownership.claim(john, metadata);
    expect(conflict).toContain('already the account of identity jane.doe');
    expect(reads).toEqual([accountKeyStreamName('corp_ldap', 'jdoe'), assignmentStreamName('a-1')]);
    expect(await claims()).toEqual([jane]);
  });

  it('refuses the key to another identity while the first claimant has claimed it but not yet appended its order', async () => {
    await store.appendToStream(
      assignmentStreamName('a-1'),
      [{ id: '00000000-0000-4000-8000-000000000000', ...janeHoldsTheKey[0] }],
      { expectedRevision: 'no_stream' },
    );
    await ownership.claim(jane, metadata);

    expect(await ownership.claim(john, metadata)).toContain('already the account of identity jane.doe');
    expect(await claims()).toEqual([jane]);
  });

  it('lets a key go to the next identity once the earlier claimant no longer holds it, and claims once per assignment', async () => {
    // a-1 was claimed but never got an order that points at the key.
    await ownership.claim(jane, metadata);
    expect(await ownership.claim(john, metadata)).toBeUndefined();
    expect(await ownership.claim(john, metadata)).toBeUndefined();
    expect(await claims()).toEqual([jane, john]);
  });

  it('asks the read model once for the keys claimed together, and refuses only the key an identity from before claims holds', async () => {
    const asked: string[][] = [];
    // The read model knows one holder from before claim streams: old.owner has 'legacy'.
    const readModel = {
      query: async (_sql: string, [, accountKeys]: [string[], string[]]) => {
        asked.push(accountKeys);
        const rows = accountKeys.flatMap((k, i) =>
          k === 'legacy' ? [{ i: i + 1, identity_id: 'old.owner' }] : [],
        );
        return { rows };
      },
    } as unknown as Pool;
    ownership = new AccountOwnership(store, readModel, new AssignmentCommands(store));
    const keys = ['k1', 'k2', 'legacy', 'k3', 'k4'];

    const conflicts = await Promise.all(
      keys.map((accountKey, i) => ownership.claim({ ...jane, accountKey, assignmentId: `a-${i}` }, metadata)),
    );

    // Asked in one turn of the event loop: one question, even with a second one free (ADR 0060).
    expect(asked).toEqual([['k1', 'k2', 'legacy', 'k3', 'k4']]);
    expect(conflicts.map((c) => c !== undefined)).toEqual([false, false, true, false, false]);
    expect(conflicts[2]).toContain('already the account of identity old.owner');
  });
});
