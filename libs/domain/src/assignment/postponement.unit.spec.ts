import { iso, minutes, orderCommand, orderInState } from '../testing/assignment-fixtures';
import { assignmentDecider } from './assignment.decider';
import type { AssignmentEvent } from './assignment.events';
import { type Assignment } from './assignment.state';
import { isPostponed, postponedUntil } from './postponement';

const fold = (events: AssignmentEvent[]): Assignment => {
  const state = events.reduce(assignmentDecider.evolve, assignmentDecider.initialState());
  if (!state.exists) throw new Error('no assignment');
  return state;
};
const decideAndFold = (
  events: AssignmentEvent[],
  command: Parameters<typeof assignmentDecider.decide>[0],
) => [...events, ...assignmentDecider.decide(command, fold(events))];

describe('postponement', () => {
  const postponed = decideAndFold(
    orderInState(5),
    orderCommand('PostponeProvisioningOrder', 'o-1', { until: minutes(60) }),
  );

  it('given an order postponed until T+60, it is postponed before and not from then on', () => {
    const order = fold(postponed).orders['o-1'];
    expect(postponedUntil(order)).toBe(iso(minutes(60)));
    expect(isPostponed(order, minutes(59))).toBe(true);
    expect(isPostponed(order, minutes(60))).toBe(false);
  });

  it('postponed without until: recorded, but never out of the queue', () => {
    const order = fold(decideAndFold(orderInState(5), orderCommand('PostponeProvisioningOrder'))).orders[
      'o-1'
    ];
    expect(isPostponed(order, minutes(4))).toBe(false);
  });

  it('postponed again: the newer until replaces the earlier one', () => {
    const again = decideAndFold(
      postponed,
      orderCommand('PostponeProvisioningOrder', 'o-1', { until: minutes(10), now: minutes(4) }),
    );
    expect(postponedUntil(fold(again).orders['o-1'])).toBe(iso(minutes(10)));
  });

  it('approved while postponed: the postponement ends with the review', () => {
    const approved = decideAndFold(
      postponed,
      orderCommand('ApproveProvisioningOrder', 'o-1', { now: minutes(5) }),
    );
    const order = fold(approved).orders['o-1'];
    expect(postponedUntil(order)).toBeUndefined();
    expect(isPostponed(order, minutes(6))).toBe(false);
  });
});
