import {
  AssignmentWorkflowError,
  EndDateNotPassedError,
  InvalidTransitionError,
  OrderNotFoundError,
  ValidationError,
} from '../errors';
import { toStateView } from '../provisioning-state';
import {
  ASSIGNMENT_ID,
  generateCommand,
  generatedEvent,
  iso,
  minutes,
  orderCommand,
  orderInState,
  requestedEvent,
} from '../testing/assignment-fixtures';
import { DeciderSpecification } from '../testing/decider-specification';
import { assignmentDecider } from './assignment.decider';
import type { AssignmentEvent } from './assignment.events';

/**
 * decide for orders that exist: provisioning review, fulfilment (automatic and manual) and the
 * end date, one given/when/then per row of the transition table (docs/architecture.md §2). Generation
 * is in assignment.decide.unit.spec.ts, re-evaluation and superseding in
 * assignment.decide.regeneration.unit.spec.ts.
 */

const given = DeciderSpecification.for(assignmentDecider);
const at = iso(minutes(3));
const order = { assignmentId: ASSIGNMENT_ID, orderId: 'o-1', at };
const byRita = { ...order, by: 'rita' };

describe('provisioning review', () => {
  it('5, approve → 1 Pending', () => {
    given(orderInState(5))
      .when(orderCommand('ApproveProvisioningOrder'))
      .then([{ type: 'ProvisioningOrderApproved', data: { ...byRita, ...toStateView(1) } }]);
  });

  it('5, decline → 0 None, assignment Declined, order closed', () => {
    const declined: AssignmentEvent = {
      type: 'ProvisioningOrderDeclined',
      data: { ...byRita, comment: 'not needed', ...toStateView(0) },
    };
    given(orderInState(5)).when(orderCommand('DeclineProvisioningOrder')).then([declined]);
    const state = [...orderInState(5), declined].reduce(
      assignmentDecider.evolve,
      assignmentDecider.initialState(),
    );
    expect(state).toMatchObject({
      workflowState: 'Declined',
      orders: { 'o-1': { stateCode: 0, open: false, closedReason: 'None' } },
    });
  });

  it('5, postpone → 5 (recorded with comment and until)', () => {
    given(orderInState(5))
      .when(orderCommand('PostponeProvisioningOrder', 'o-1', { until: minutes(600) }))
      .then([
        {
          type: 'ProvisioningOrderPostponed',
          data: { ...byRita, comment: 'ask the manager', until: iso(minutes(600)), ...toStateView(5) },
        },
      ]);
  });

  it('review decisions need the reviewer as actor; postponing needs a comment', () => {
    given(orderInState(5))
      .when(orderCommand('ApproveProvisioningOrder', 'o-1', { actor: undefined }))
      .thenThrows(ValidationError, (e) => e.field === 'actor');
    given(orderInState(5))
      .when(orderCommand('PostponeProvisioningOrder', 'o-1', { comment: ' ' }))
      .thenThrows(ValidationError, (e) => e.field === 'comment');
  });

  it('a second approval of the same order is refused, naming the state it is in', () => {
    given([...orderInState(5), { type: 'ProvisioningOrderApproved', data: { ...byRita, ...toStateView(1) } }])
      .when(orderCommand('ApproveProvisioningOrder', 'o-1', { actor: 'bob' }))
      .thenThrows(
        InvalidTransitionError,
        (e) => e.message === 'cannot ApproveProvisioningOrder: order o-1 is in state 1 Pending',
      );
  });

  it('no new orders for a declined assignment', () => {
    given([...orderInState(0)])
      .when(generateCommand('o-2'))
      .thenThrows(AssignmentWorkflowError, (e) => e.workflowState === 'Declined');
  });
});

describe('fulfilment', () => {
  it('1, manual connection: transmit to operators → 2 Transmitted', () => {
    given(orderInState(1, { fulfillment: 'manual' }))
      .when(orderCommand('TransmitProvisioningOrder', 'o-1', { actor: undefined }))
      .then([
        { type: 'ProvisioningOrderTransmitted', data: { ...order, connectionId: 'ldap', ...toStateView(2) } },
      ]);
  });

  it('1, automatic connection: transmit is refused', () => {
    given(orderInState(1))
      .when(orderCommand('TransmitProvisioningOrder'))
      .thenThrows(InvalidTransitionError, (e) => /manual connection/.test(e.message) && e.state === 1);
  });

  it('1, agent reports OK → 8 Executed', () => {
    given(orderInState(1))
      .when(orderCommand('ReportProvisioningOrderExecuted', 'o-1', { actor: undefined }))
      .then([
        {
          type: 'ProvisioningOrderExecuted',
          data: { ...order, reportedBy: 'agent', attempt: 1, ...toStateView(8) },
        },
      ]);
  });

  it('1, agent reports an error → 3 Errored', () => {
    given(orderInState(1))
      .when(orderCommand('ReportProvisioningOrderErrored', 'o-1', { actor: undefined, error: 'LDAP 32' }))
      .then([
        {
          type: 'ProvisioningOrderErrored',
          data: { ...order, reportedBy: 'agent', error: 'LDAP 32', attempt: 1, ...toStateView(3) },
        },
      ]);
  });

  it('2, operator confirms → 8 Executed', () => {
    given(orderInState(2, { fulfillment: 'manual' }))
      .when(orderCommand('ReportProvisioningOrderExecuted', 'o-1', { by: 'operator', actor: 'oscar' }))
      .then([
        {
          type: 'ProvisioningOrderExecuted',
          data: { ...order, by: 'oscar', reportedBy: 'operator', attempt: 1, ...toStateView(8) },
        },
      ]);
  });

  it('2, operator reports an error → 3 Errored', () => {
    given(orderInState(2, { fulfillment: 'manual' }))
      .when(
        orderCommand('ReportProvisioningOrderErrored', 'o-1', {
          by: 'operator',
          actor: 'oscar',
          error: 'no such user',
        }),
      )
      .then([
        {
          type: 'ProvisioningOrderErrored',
          data: {
            ...order,
            by: 'oscar',
            reportedBy: 'operator',
            error: 'no such user',
            attempt: 1,
            ...toStateView(3),
          },
        },
      ]);
  });

  it('1, a manual order is not confirmed by an operator before it is transmitted', () => {
    given(orderInState(1, { fulfillment: 'manual' }))
      .when(orderCommand('ReportProvisioningOrderExecuted', 'o-1', { by: 'operator' }))
      .thenThrows(
        InvalidTransitionError,
        (e) => e.state === 1 && e.command === 'ReportProvisioningOrderExecuted',
      );
  });

  it.each([2, 8] as const)(
    '%i, transmitted-validity period expired without verification → 3 Errored',
    (from) => {
      given(orderInState(from, { fulfillment: 'manual' }))
        .when(orderCommand('ExpireTransmittedValidity', 'o-1', { actor: undefined }))
        .then([
          {
            type: 'ProvisioningOrderErrored',
            data: {
              ...order,
              reportedBy: 'timer',
              error: `transmitted-validity period expired without verification (order was ${from} ${from === 2 ? 'Transmitted' : 'Executed'})`,
              attempt: 1,
              ...toStateView(3),
            },
          },
        ]);
    },
  );

  it('8, synchronization observes the change → 4 Verified', () => {
    given(orderInState(8))
      .when(orderCommand('VerifyProvisioningOrder', 'o-1', { actor: undefined }))
      .then([{ type: 'ProvisioningOrderVerified', data: { ...order, ...toStateView(4) } }]);
  });

  it('3, a reviewer retries → 1 Pending, attempt 2', () => {
    given(orderInState(3))
      .when(orderCommand('RetryProvisioningOrder', 'o-1', { comment: 'ACL fixed' }))
      .then([
        {
          type: 'ProvisioningOrderRetried',
          data: { ...byRita, attempt: 2, automatic: false, comment: 'ACL fixed', ...toStateView(1) },
        },
      ]);
  });

  it('3, the retry policy retries → 1 Pending, attempt 2', () => {
    given(orderInState(3))
      .when(orderCommand('RetryProvisioningOrder', 'o-1', { automatic: true, actor: undefined }))
      .then([
        {
          type: 'ProvisioningOrderRetried',
          data: { ...order, attempt: 2, automatic: true, ...toStateView(1) },
        },
      ]);
  });
});

describe('end date', () => {
  const endsAt = iso(minutes(2));

  it.each([1, 3, 5, 7] as const)('%i, end date passes before fulfilment → 6 Inactive', (from) => {
    given(orderInState(from, { endsAt }))
      .when(orderCommand('DeactivateProvisioningOrder', 'o-1', { actor: undefined }))
      .then([{ type: 'ProvisioningOrderDeactivated', data: { ...order, endsAt, ...toStateView(6) } }]);
  });

  it('is refused before the end date, or without one', () => {
    given(orderInState(1, { endsAt: iso(minutes(10)) }))
      .when(orderCommand('DeactivateProvisioningOrder'))
      .thenThrows(EndDateNotPassedError);
    given(orderInState(1))
      .when(orderCommand('DeactivateProvisioningOrder'))
      .thenThrows(EndDateNotPassedError);
  });

  it('a Deleted order is never deactivated', () => {
    given([requestedEvent({ endsAt }), generatedEvent('o-1', 1, { changeType: 'Deleted' })])
      .when(orderCommand('DeactivateProvisioningOrder'))
      .thenThrows(InvalidTransitionError, (e) => /other than Deleted/.test(e.message));
  });
});

describe('order ids', () => {
  it('an unknown order id is refused', () => {
    given(orderInState(5))
      .when(orderCommand('ApproveProvisioningOrder', 'o-9'))
      .thenThrows(
        OrderNotFoundError,
        (e) => e.message === 'cannot ApproveProvisioningOrder: assignment a-1 has no order o-9',
      );
  });

  it('a command for another assignment is refused', () => {
    given(orderInState(5))
      .when({ ...orderCommand('ApproveProvisioningOrder'), assignmentId: 'a-2' })
      .thenThrows(ValidationError, (e) => e.field === 'assignmentId');
  });

  it('an order id that is also an Object property name is just an unknown id', () => {
    given(orderInState(5))
      .when(orderCommand('ApproveProvisioningOrder', 'constructor'))
      .thenThrows(OrderNotFoundError, (e) => e.orderId === 'constructor');
  });
});
