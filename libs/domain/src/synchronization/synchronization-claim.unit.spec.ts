import {
  type SynchronizationClaimEvent,
  synchronizationClaimState,
  synchronizationClaimStreamName,
} from './synchronization-claim';
import { synchronizationStreamName } from './synchronization.events';

const synchronizationId = '6f1c2a5e-8a43-4d0b-9a57-2f6a1f1d9c01';
const base = { synchronizationId, connectionId: 'corp_ldap' };
const claimed = (at: string): SynchronizationClaimEvent => ({
  type: 'SynchronizationClaimed',
  data: { ...base, at },
});
const recorded: SynchronizationClaimEvent = {
  type: 'SynchronizationRecorded',
  data: { ...base, at: '2030-01-01T08:05:00.000Z', verified: 3, nonConforming: 2, restoreOrders: 1 },
};
const abandoned: SynchronizationClaimEvent = {
  type: 'SynchronizationAbandoned',
  data: { ...base, at: '2030-01-01T08:02:00.000Z', reason: 'MissingReadBackPagesError' },
};

describe('where a synchronization report stands', () => {
  it('given no claim, then it is open for a claim on a new stream', () => {
    expect(synchronizationClaimState([])).toEqual({ kind: 'open', expectedRevision: 'no_stream' });
  });

  it('given a claim without an outcome, then it is claimed since then, taken over at its revision', () => {
    expect(synchronizationClaimState([claimed('2030-01-01T08:00:00.000Z')], 0n)).toEqual({
      kind: 'claimed',
      expectedRevision: 0n,
      claimedAt: '2030-01-01T08:00:00.000Z',
      connectionId: 'corp_ldap',
    });
  });

  it('given an outcome, then every later delivery answers it, whatever came after', () => {
    const outcome = { synchronizationId, verified: 3, nonConforming: 2, restoreOrders: 1 };
    expect(synchronizationClaimState([claimed('2030-01-01T08:00:00.000Z'), recorded], 1n)).toEqual({
      kind: 'recorded',
      outcome,
      connectionId: 'corp_ldap',
    });
    // A claimant fenced off after a takeover cannot append, but an outcome stays final regardless.
    expect(
      synchronizationClaimState([
        claimed('2030-01-01T08:00:00.000Z'),
        recorded,
        claimed('2030-01-01T09:00:00.000Z'),
      ]),
    ).toEqual({ kind: 'recorded', outcome, connectionId: 'corp_ldap' });
  });

  it('given an abandoned claim, then it is open again at the revision of the abandonment', () => {
    expect(synchronizationClaimState([claimed('2030-01-01T08:00:00.000Z'), abandoned], 7n)).toEqual({
      kind: 'open',
      expectedRevision: 7n,
      connectionId: 'corp_ldap',
    });
    // Claimed again after that: claimed, at the new claim's revision.
    expect(
      synchronizationClaimState([
        claimed('2030-01-01T08:00:00.000Z'),
        abandoned,
        claimed('2030-01-01T08:03:00.000Z'),
      ]),
    ).toEqual({
      kind: 'claimed',
      expectedRevision: 2n,
      claimedAt: '2030-01-01T08:03:00.000Z',
      connectionId: 'corp_ldap',
    });
  });

  it("names a stream outside the connections' sync- category", () => {
    expect(synchronizationClaimStreamName(synchronizationId)).toBe(`synchronization-${synchronizationId}`);
    expect(synchronizationClaimStreamName(synchronizationId).startsWith(synchronizationStreamName(''))).toBe(
      false,
    );
  });
});
