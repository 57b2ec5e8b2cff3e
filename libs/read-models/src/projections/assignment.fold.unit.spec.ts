import type { AssignmentEvent, AssignmentState } from '@prov/domain';
import type { Position, RecordedEvent } from '@prov/event-store';
import { foldAssignments } from './assignment.fold';

/** A stand-in evolve: counts events, touches the order named in the data, "Gone" makes it non-existent. */
function evolve(state: AssignmentState, event: AssignmentEvent): AssignmentState {
  if ((event.type as string) === 'Gone') return { exists: false } as AssignmentState;
  const s = state as unknown as { exists: boolean; count?: number; orders?: Record<string, unknown> };
  const data = event.data as { orderId?: string };
  const orders = { ...(s.orders ?? {}) };
  if (data.orderId)
    orders[data.orderId] = {
      orderId: data.orderId,
      seen: (s.count ?? 0) + 1,
      updatedAt: `t${(s.count ?? 0) + 1}`,
    };
  return { exists: true, assignmentId: 'x', count: (s.count ?? 0) + 1, orders } as unknown as AssignmentState;
}
const initial = () => ({ exists: false }) as AssignmentState;

let position = 0;
function event(stream: string, revision: number, type = 'Happened', data: unknown = {}): RecordedEvent {
  position += 1;
  return {
    streamName: `assignment-${stream}`,
    revision: BigInt(revision),
    position: String(position).padStart(41, '0') as Position,
    id: `id-${position}`,
    type,
    data,
    metadata: {},
    createdAt: new Date(0),
  };
}

describe('foldAssignments', () => {
  it('folds each stream in order and keeps one row per assignment with its last event', () => {
    const events = [
      event('a', 0),
      event('b', 0),
      event('a', 1, 'Happened', { orderId: 'o1' }),
      event('a', 2),
    ];
    const folded = foldAssignments(new Map(), events, 'assignment-', evolve, initial);
    expect(
      folded.assignments.map((r) => [(r.state as unknown as { count: number }).count, r.event.revision]),
    ).toEqual([
      [3, 2n],
      [1, 0n],
    ]);
    expect(folded.orders.map((o) => [o.order.orderId, o.existed])).toEqual([['o1', false]]);
    expect(folded.assignments.map((r) => r.existed)).toEqual([false, false]);
    expect(folded.history).toHaveLength(4);
  });

  it('skips events at or below the stored revision, as the one-at-a-time path does', () => {
    const stored = new Map([
      [
        'a',
        { state: evolve(initial(), { type: 'X', data: {} } as unknown as AssignmentEvent), revision: 1n },
      ],
    ]);
    const folded = foldAssignments(stored, [event('a', 1), event('a', 2)], 'assignment-', evolve, initial);
    expect(folded.history.map((e) => e.revision)).toEqual([2n]);
    expect((folded.assignments[0].state as unknown as { count: number }).count).toBe(2);
    expect(folded.assignments[0].existed).toBe(true);
  });

  it('writes nothing for an event that leaves the assignment non-existent and folds the next one on the state before it', () => {
    const folded = foldAssignments(
      new Map(),
      [event('a', 0), event('a', 1, 'Gone'), event('a', 2)],
      'assignment-',
      evolve,
      initial,
    );
    expect(folded.history.map((e) => e.revision)).toEqual([0n, 2n]);
    expect((folded.assignments[0].state as unknown as { count: number }).count).toBe(2);
  });

  it('keeps the last state of an order touched twice', () => {
    const folded = foldAssignments(
      new Map(),
      [event('a', 0, 'H', { orderId: 'o1' }), event('a', 1, 'H', { orderId: 'o1' })],
      'assignment-',
      evolve,
      initial,
    );
    expect(folded.orders).toHaveLength(1);
    expect((folded.orders[0].order as unknown as { seen: number }).seen).toBe(2);
    expect(folded.orders[0].generatedAt).toBe('t1'); // the row keeps the time it was first written
  });
});
