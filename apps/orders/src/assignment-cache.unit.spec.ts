import { assignmentDecider, type AssignmentEvent, type AssignmentState } from '@prov/domain';
import type { Position, RecordedEvent } from '@prov/event-store';
import { AssignmentCache } from './assignment-cache';

const requested = {
  type: 'AssignmentRequested',
  data: { assignmentId: 'a-1', identityId: 'i-1', entitlementId: 'e', at: '2026-12-03T00:00:00.000Z' },
} as AssignmentEvent;
const revoked = {
  type: 'AssignmentRevoked',
  data: { assignmentId: 'a-1', at: '2026-12-03T01:00:00.000Z' },
} as AssignmentEvent;

function recorded(event: AssignmentEvent, revision: bigint): RecordedEvent {
  return {
    ...event,
    streamName: 'assignment-a-1',
    revision,
    position: '' as Position,
    id: `e-${revision}`,
    metadata: {},
    createdAt: new Date(),
  };
}

const fold = (...events: AssignmentEvent[]): AssignmentState =>
  events.reduce(assignmentDecider.evolve, assignmentDecider.initialState());

describe('what the orders service knows of assignments', () => {
  it("given nothing known, then the stream's first event is the state at revision 0, and a later one is unknown", () => {
    const cache = new AssignmentCache();

    expect(cache.after('a-1', recorded(requested, 0n))).toEqual({ state: fold(requested), revision: 0n });
    expect(cache.after('a-1', recorded(revoked, 3n))).toBeUndefined();
  });

  it('given the state just before an event, then the event is folded in; given a newer state, then that is the guess', () => {
    const cache = new AssignmentCache();
    cache.remember('a-1', { state: fold(requested), revision: 2n });

    expect(cache.after('a-1', recorded(revoked, 3n))).toEqual({
      state: fold(requested, revoked),
      revision: 3n,
    });
    expect(cache.after('a-1', recorded(requested, 0n))).toEqual({ state: fold(requested), revision: 2n });
  });

  it('keeps the newer of two states and forgets the oldest assignment beyond its capacity', () => {
    const cache = new AssignmentCache(2);
    cache.remember('a-1', { state: fold(requested, revoked), revision: 1n });
    cache.remember('a-1', { state: fold(requested), revision: 0n });
    expect(cache.get('a-1')?.revision).toBe(1n);
    cache.remember('a-2', { state: fold(requested), revision: 0n });
    cache.remember('a-3', { state: fold(requested), revision: 0n });

    expect(cache.get('a-1')).toBeUndefined();
    expect(cache.get('a-2')?.revision).toBe(0n);
    expect(cache.size).toBe(2);
  });
});
