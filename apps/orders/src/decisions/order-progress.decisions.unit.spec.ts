import { assignmentDecider, type AssignmentEvent, foldEvents, toStateView } from '@prov/domain';
import {
  generatedEvent,
  iso,
  minutes,
  orderInState,
  requestedEvent,
} from '../../../../libs/domain/src/testing/assignment-fixtures';
import {
  endAssignmentCommand,
  orderUndoneBy,
  redispatchable,
  reportDecision,
  timerCommand,
  transmitIfPending,
  verifyIfExecuted,
} from './order-progress.decisions';

const stateOf = (events: AssignmentEvent[]) => foldEvents(assignmentDecider, events);
const now = minutes(10);
const seen = (provisioningStateCode: number, attempt = 1) => ({
  assignmentId: 'a-1',
  orderId: 'o-1',
  provisioningStateCode,
  attempt,
});

describe('agent reports', () => {
  const executed = { assignmentId: 'a-1', orderId: 'o-1', attempt: 1, outcome: 'executed' as const };

  it('given a Pending order, when the agent reports it executed, then the domain records 8 Executed', () => {
    const decision = reportDecision(stateOf(orderInState(1)), executed, now);
    expect(decision.reason).toBeUndefined();
    expect(decision.command).toMatchObject({
      type: 'ReportProvisioningOrderExecuted',
      by: 'agent',
      actor: 'agent',
    });
    const events = assignmentDecider.decide(decision.command!, stateOf(orderInState(1)));
    expect(events.map((e) => e.type)).toEqual(['ProvisioningOrderExecuted']);
  });

  it('given an executed or verified order, when the same report comes again, then nothing is recorded: already-recorded', () => {
    expect(reportDecision(stateOf(orderInState(8)), executed, now)).toEqual({ reason: 'already-recorded' });
    expect(reportDecision(stateOf(orderInState(4)), executed, now)).toEqual({ reason: 'already-recorded' });
    expect(reportDecision(stateOf(orderInState(3)), { ...executed, outcome: 'errored' }, now)).toEqual({
      reason: 'already-recorded',
    });
  });

  it('given a report for another attempt, then nothing is recorded: stale-attempt', () => {
    expect(reportDecision(stateOf(orderInState(1)), { ...executed, attempt: 2 }, now)).toEqual({
      reason: 'stale-attempt',
    });
  });

  it('given an errored report without a message, then the error says unknown error', () => {
    const { command } = reportDecision(stateOf(orderInState(1)), { ...executed, outcome: 'errored' }, now);
    expect(command).toMatchObject({ type: 'ReportProvisioningOrderErrored', error: 'unknown error' });
  });
});

describe('transmission and verification', () => {
  it('given a Pending manual order, when transmitted, then the operators get it; once moved on, nothing', () => {
    const pending = orderInState(1, { fulfillment: 'manual' });
    const command = transmitIfPending('a-1', 'o-1', now)(stateOf(pending));
    expect(command).toEqual({
      type: 'TransmitProvisioningOrder',
      assignmentId: 'a-1',
      orderId: 'o-1',
      now,
      actor: 'orders',
    });
    const [transmitted] = assignmentDecider.decide(command!, stateOf(pending));
    expect(transmitted).toMatchObject({
      type: 'ProvisioningOrderTransmitted',
      data: { provisioningStateCode: 2 },
    });
    expect(
      transmitIfPending('a-1', 'o-1', now)(stateOf(orderInState(2, { fulfillment: 'manual' }))),
    ).toBeUndefined();
  });

  it('given an executed order, when synchronization saw it, then it is verified; any other state, nothing', () => {
    expect(verifyIfExecuted('a-1', 'o-1', now)(stateOf(orderInState(8)))).toMatchObject({
      type: 'VerifyProvisioningOrder',
      actor: 'synchronization',
    });
    for (const code of [1, 3, 4] as const) {
      expect(verifyIfExecuted('a-1', 'o-1', now)(stateOf(orderInState(code)))).toBeUndefined();
    }
  });
});

describe('timers', () => {
  it('given the order is still as the timer saw it, when it fires, then the transition names the order and the timer', () => {
    expect(
      timerCommand(
        stateOf(orderInState(3)),
        seen(3),
        { type: 'RetryProvisioningOrder', automatic: true },
        now,
      ),
    ).toEqual({
      type: 'RetryProvisioningOrder',
      automatic: true,
      assignmentId: 'a-1',
      orderId: 'o-1',
      now,
      actor: 'timer',
    });
  });

  it('given the order moved on (other state, other attempt, closed), when the timer fires, then nothing', () => {
    const retry = { type: 'RetryProvisioningOrder' as const };
    expect(timerCommand(stateOf(orderInState(1)), seen(3), retry, now)).toBeUndefined();
    expect(timerCommand(stateOf(orderInState(3)), seen(3, 2), retry, now)).toBeUndefined();
    expect(timerCommand(stateOf(orderInState(0)), seen(0), retry, now)).toBeUndefined();
  });

  it('given a Pending order in the attempt seen, then it is published again; else not', () => {
    expect(redispatchable(stateOf(orderInState(1)), seen(1))?.orderId).toBe('o-1');
    expect(redispatchable(stateOf(orderInState(1)), seen(1, 2))).toBeUndefined();
    expect(redispatchable(stateOf(orderInState(8)), seen(1))).toBeUndefined();
  });

  it('given the end date passed, then the assignment is ended under the given removal id; before it, nothing', () => {
    const ending = orderInState(4, { endsAt: minutes(5).toISOString() });
    expect(endAssignmentCommand(stateOf(ending), 'a-1', 'o-end', now)).toEqual({
      type: 'EndAssignment',
      assignmentId: 'a-1',
      orderId: 'o-end',
      now,
      actor: 'timer',
    });
    expect(endAssignmentCommand(stateOf(ending), 'a-1', 'o-end', minutes(4))).toBeUndefined();
    expect(endAssignmentCommand(stateOf([requestedEvent()]), 'a-1', 'o-end', now)).toBeUndefined();
  });
});

describe('an order applied after the newer one that superseded it (ADR 0065)', () => {
  /** o-1 Pending, superseded by the Deleted o-2 in `newest`. */
  const superseded = (
    newest: 1 | 4 | 5,
    fulfillment: 'automatic' | 'manual' = 'automatic',
  ): AssignmentEvent[] => [
    ...orderInState(1),
    generatedEvent('o-2', newest, { changeType: 'Deleted', fulfillment }),
    {
      type: 'ProvisioningOrderSuperseded',
      data: {
        assignmentId: 'a-1',
        orderId: 'o-1',
        at: iso(minutes(3)),
        by: 'orders',
        supersededBy: 'o-2',
        reason: 'AssignmentRevoked',
        ...toStateView(1),
      },
    },
  ];
  const report = (orderId: string, outcome: 'executed' | 'errored' = 'executed') => ({ orderId, outcome });

  it('given the newer order may be applied already, then it is the one to send again', () => {
    for (const newest of [1, 4] as const)
      expect(orderUndoneBy(stateOf(superseded(newest)), report('o-1'))?.order.orderId).toBe('o-2');
  });

  it('given nothing was applied, the order is current, the newer one waits for review or is manual, then none', () => {
    expect(orderUndoneBy(stateOf(superseded(1)), report('o-1', 'errored'))).toBeUndefined();
    expect(orderUndoneBy(stateOf(superseded(1)), report('o-2'))).toBeUndefined();
    expect(orderUndoneBy(stateOf(orderInState(1)), report('o-1'))).toBeUndefined();
    expect(orderUndoneBy(stateOf(superseded(5)), report('o-1'))).toBeUndefined();
    expect(orderUndoneBy(stateOf(superseded(1, 'manual')), report('o-1'))).toBeUndefined();
  });
});
