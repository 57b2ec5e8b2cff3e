import { commandMetadata, handleCommand, loadStream } from '@prov/command-handling';
import {
  type AssignmentCommand,
  assignmentDecider,
  assignmentStreamName,
  evolveAssignment,
  initialAssignmentState,
} from '@prov/domain';
import { InMemoryEventStore, type RecordedEvent } from '@prov/event-store';
import { foldAssignments } from './assignment.fold';

/**
 * The assignments projection folds the events the command side recorded, read back from the
 * in-memory event store (JSON round trip included): its rows must say what the command side's
 * own load says, whether the events come in one batch, one at a time, or again after a replay.
 */
const T0 = new Date('2030-01-01T08:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

async function recordedLifeOfAnAssignment(store: InMemoryEventStore): Promise<RecordedEvent[]> {
  const base = { assignmentId: 'a-1', actor: 'test' };
  const commands: AssignmentCommand[] = [
    { ...base, type: 'RequestAssignment', identityId: 'i-1', entitlementId: 'e-1', now: at(0) },
    {
      ...base,
      type: 'GenerateProvisioningOrder',
      orderId: 'o-1',
      now: at(1),
      changeType: 'Added',
      connectionId: 'corp_ldap',
      resourceTypeId: 'ldap_account',
      fulfillment: 'automatic',
      changes: { accountKey: 'jdoe', attributes: {} },
      requiresReview: true,
    },
    { ...base, type: 'ApproveProvisioningOrder', orderId: 'o-1', now: at(2), actor: 'rita' },
    {
      ...base,
      type: 'ReportProvisioningOrderErrored',
      orderId: 'o-1',
      now: at(3),
      by: 'agent',
      error: 'timeout',
    },
    { ...base, type: 'RetryProvisioningOrder', orderId: 'o-1', now: at(4), automatic: true },
    { ...base, type: 'ReportProvisioningOrderExecuted', orderId: 'o-1', now: at(5), by: 'agent' },
    { ...base, type: 'VerifyProvisioningOrder', orderId: 'o-1', now: at(6) },
  ];
  for (const command of commands) {
    await handleCommand(store, assignmentDecider, assignmentStreamName('a-1'), command, {
      metadata: commandMetadata({ actor: 'test' }, command.now),
    });
  }
  return store.readStream(assignmentStreamName('a-1'));
}

describe('assignments projection fold over recorded events', () => {
  const fold = (stored: Parameters<typeof foldAssignments>[0], events: readonly RecordedEvent[]) =>
    foldAssignments(stored, events, 'assignment-', evolveAssignment, initialAssignmentState);

  it('given the events of a whole order life, when folded in one batch, then the row is the command side state', async () => {
    const store = new InMemoryEventStore();
    const events = await recordedLifeOfAnAssignment(store);
    const { state } = await loadStream(store, assignmentDecider, assignmentStreamName('a-1'));

    const folded = fold(new Map(), events);

    expect(folded.assignments).toHaveLength(1);
    expect(folded.assignments[0].state).toEqual(state);
    expect(folded.assignments[0].event.id).toBe(events.at(-1)!.id);
    expect(folded.orders.map((row) => [row.order.orderId, row.order.stateCode, row.order.attempt])).toEqual([
      ['o-1', 4, 2],
    ]);
    expect(folded.history.map((e) => e.type)).toEqual(events.map((e) => e.type));
  });

  it('given the same events one at a time, or replayed over the stored row, then the same row and no history twice', async () => {
    const store = new InMemoryEventStore();
    const events = await recordedLifeOfAnAssignment(store);
    let stored = new Map<string, { state: ReturnType<typeof initialAssignmentState>; revision: bigint }>();
    for (const event of events) {
      const folded = fold(stored, [event]);
      for (const row of folded.assignments)
        stored = new Map([['a-1', { state: row.state, revision: row.event.revision }]]);
    }
    const batch = fold(new Map(), events).assignments[0].state;
    expect(stored.get('a-1')?.state).toEqual(batch);

    const replay = fold(stored, events);
    expect(replay).toEqual({ assignments: [], orders: [], history: [] });
  });
});
