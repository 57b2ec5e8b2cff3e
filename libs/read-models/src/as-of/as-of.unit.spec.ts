import type { AssignmentEvent, IdentityEvent } from '@prov/domain';
import type { Position, RecordedEvent } from '@prov/event-store';
import {
  generatedEvent,
  iso,
  minutes,
  requestedEvent,
} from '../../../domain/src/testing/assignment-fixtures';
import { assignmentAsOf, holdersAsOf, permissionsAsOf, withOrigin } from './as-of';

/** Recorded events of one stream; each event occurred at the time of its data's `at`. */
function stream(name: string, events: Array<AssignmentEvent | IdentityEvent>): RecordedEvent[] {
  return events.map((event, index) => ({
    streamName: name,
    revision: BigInt(index),
    position: String(index).padStart(20, '0') as unknown as Position,
    id: `${name}-${index}`,
    type: event.type,
    data: event.data,
    metadata: { occurredAt: (event.data as { at: string }).at },
    createdAt: new Date((event.data as { at: string }).at),
  }));
}

const registered: IdentityEvent = {
  type: 'IdentityRegistered',
  data: {
    identityId: 'i-1',
    login: 'jdoe',
    firstName: 'J',
    lastName: 'Doe',
    email: 'j@x',
    attributes: {},
    at: iso(minutes(-10)),
  },
} as IdentityEvent;
const held = (assignmentId: string, entitlementId: string, at: number): IdentityEvent => ({
  type: 'EntitlementHeld',
  data: { identityId: 'i-1', entitlementId, assignmentId, holder: 'request', at: iso(minutes(at)) },
});
const released = (assignmentId: string, entitlementId: string, at: number): IdentityEvent => ({
  type: 'EntitlementReleased',
  data: { identityId: 'i-1', entitlementId, assignmentId, at: iso(minutes(at)) },
});
const revoked = (assignmentId: string, at: number): AssignmentEvent =>
  ({
    type: 'AssignmentRevoked',
    data: { assignmentId, at: iso(minutes(at)) },
  }) as AssignmentEvent;

function assignment(id: string, entitlementId: string, requestedAt: number, more: AssignmentEvent[] = []) {
  return stream(`assignment-${id}`, [
    requestedEvent({ assignmentId: id, entitlementId, at: iso(minutes(requestedAt)) }),
    generatedEvent(`o-${id}`, 1, { assignmentId: id, entitlementId, at: iso(minutes(requestedAt + 1)) }),
    ...more,
  ]);
}

describe('as-of folds', () => {
  const a1 = assignment('a-1', 'e-1', 0, [revoked('a-1', 30)]);
  const a2 = assignment('a-2', 'e-2', 20);
  const identity = stream('identity-i-1', [
    registered,
    held('a-1', 'e-1', 0),
    held('a-2', 'e-2', 20),
    released('a-1', 'e-1', 30),
  ]);

  it('given a request and an order, when folded between them, then the assignment has no order yet', () => {
    const folded = assignmentAsOf(a2, minutes(20));
    expect(folded).toMatchObject({ revision: 0n, state: { workflowState: 'Requested' } });
    expect(folded?.state.currentOrderId).toBeUndefined();
    expect(assignmentAsOf(a2, minutes(21))?.state.currentOrderId).toBe('o-a-2');
  });

  it('given a stream, when folded before its first event, then nothing existed', () => {
    expect(assignmentAsOf(a2, minutes(19))).toBeUndefined();
    expect(permissionsAsOf(identity, [a1, a2], minutes(-11))).toBeUndefined();
  });

  it('given two assignments, when asked in between, then the tab shows what existed, newest first, with origins', () => {
    expect(
      permissionsAsOf(identity, [a1, a2], minutes(10))?.map((p) => [
        p.assignmentId,
        p.workflowState,
        p.origin,
      ]),
    ).toEqual([['a-1', 'Requested', ['request']]]);
    const later = permissionsAsOf(identity, [a1, a2], minutes(25));
    expect(later?.map((p) => [p.assignmentId, p.provisioningState])).toEqual([
      ['a-2', 'Pending'],
      ['a-1', 'Pending'],
    ]);
  });

  it('given a revocation, when asked after it, then the assignment is Revoked and no longer holds the entitlement', () => {
    const after = permissionsAsOf(identity, [a1, a2], minutes(40));
    expect(after?.find((p) => p.assignmentId === 'a-1')).toMatchObject({
      workflowState: 'Revoked',
      origin: ['request'],
      revision: 2,
    });
    expect(holdersAsOf([a1], minutes(29)).map((h) => h.assignmentId)).toEqual(['a-1']);
    expect(holdersAsOf([a1], minutes(30))).toEqual([]);
  });

  it('given start and end dates, when asked outside them, then the assignment held nothing', () => {
    const dated = stream('assignment-a-3', [
      requestedEvent({
        assignmentId: 'a-3',
        at: iso(minutes(0)),
        startsAt: iso(minutes(10)),
        endsAt: iso(minutes(20)),
      }),
    ]);
    expect(holdersAsOf([dated], minutes(5))).toEqual([]);
    expect(holdersAsOf([dated], minutes(15)).map((h) => h.assignmentId)).toEqual(['a-3']);
    expect(holdersAsOf([dated], minutes(20))).toEqual([]);
  });

  it('given an event without occurredAt, when folded, then the time it was stored counts', () => {
    const [first] = a2;
    const stored = [{ ...first, metadata: {}, createdAt: minutes(50) }];
    expect(assignmentAsOf(stored, minutes(49))).toBeUndefined();
    expect(assignmentAsOf(stored, minutes(50))).toBeDefined();
  });

  it('names a birthright rule as origin when no holding lists the assignment', () => {
    const view = permissionsAsOf(identity, [a1], minutes(40))![0];
    expect(withOrigin({}, { ...view, requestedBy: 'rule:staff' }).origin).toEqual(['rule:staff']);
    expect(
      withOrigin({ 'e-1': { assignmentId: 'a-1', holders: ['request', 'rule:x'] } }, view).origin,
    ).toEqual(['request', 'rule:x']);
  });
});
