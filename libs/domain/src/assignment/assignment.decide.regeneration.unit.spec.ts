import { AssignmentWorkflowError, InvalidTransitionError } from '../errors';
import { toStateView } from '../provisioning-state';
import {
  ASSIGNMENT_ID,
  ENTITLEMENT_ID,
  generateCommand,
  generatedEvent,
  IDENTITY_ID,
  iso,
  minutes,
  orderCommand,
  orderInState,
  requestedEvent,
  revokedEvent,
} from '../testing/assignment-fixtures';
import { DeciderSpecification } from '../testing/decider-specification';
import { assignmentDecider } from './assignment.decider';

/**
 * decide when an order is generated over an existing one: re-evaluation of an order in 7 Error
 * and superseding the open order, one given/when/then per row of the transition table
 * (docs/architecture.md §2); and what a generated order names. Requests, revocations and new
 * orders are in assignment.decide.unit.spec.ts.
 */

const given = DeciderSpecification.for(assignmentDecider);
const at = iso(minutes(3));
const order = { assignmentId: ASSIGNMENT_ID, orderId: 'o-1', at };
const revoked = revokedEvent();

describe('re-evaluation of an order in 7 Error', () => {
  it('7, evaluation throws again → stays 7 with the new message', () => {
    given(orderInState(7))
      .when(
        orderCommand('RecordRoleModelEvaluationFailure', 'o-1', { error: 'still broken', actor: undefined }),
      )
      .then([
        {
          type: 'RoleModelEvaluationFailed',
          data: {
            ...order,
            identityId: IDENTITY_ID,
            entitlementId: ENTITLEMENT_ID,
            error: 'still broken',
            ...toStateView(7),
          },
        },
      ]);
  });

  it('7, the same error again changes nothing', () => {
    given(orderInState(7))
      .when(orderCommand('RecordRoleModelEvaluationFailure', 'o-1', { error: 'mapping "cn" failed' }))
      .thenNothingHappened();
  });

  it('7, re-evaluation succeeds, no review → 1 Pending', () => {
    given(orderInState(7))
      .when(generateCommand('o-1'))
      .then([generatedEvent('o-1', 1, { at, reevaluated: true })]);
  });

  it('7, re-evaluation succeeds, review required → 5 AwaitingApproval', () => {
    given(orderInState(7))
      .when(generateCommand('o-1', { requiresReview: true }))
      .then([generatedEvent('o-1', 5, { at, reevaluated: true })]);
  });
});

describe('superseding the open order', () => {
  it('any open order, assignment revoked → old order superseded; new Deleted order', () => {
    given([requestedEvent(), generatedEvent('o-1', 5), revoked])
      .when(generateCommand('o-2', { changeType: 'Deleted', changes: {} }))
      .then([
        {
          type: 'ProvisioningOrderSuperseded',
          data: { ...order, supersededBy: 'o-2', reason: 'AssignmentRevoked', ...toStateView(5) },
        },
        generatedEvent('o-2', 1, { at, changeType: 'Deleted', changes: {}, origin: 'revocation' }),
      ]);
  });

  it('any open order, role model changed → old order superseded; new Modified order', () => {
    given(orderInState(8))
      .when(generateCommand('o-2', { changeType: 'Modified', changes: { mail: 'j@x.org' } }))
      .then([
        {
          type: 'ProvisioningOrderSuperseded',
          data: { ...order, supersededBy: 'o-2', reason: 'RoleModelChanged', ...toStateView(8) },
        },
        generatedEvent('o-2', 1, { at, changeType: 'Modified', changes: { mail: 'j@x.org' } }),
      ]);
  });

  it('a failing evaluation of a new order supersedes the open one too', () => {
    given(orderInState(1))
      .when(orderCommand('RecordRoleModelEvaluationFailure', 'o-2', { error: 'boom', actor: undefined }))
      .then([
        {
          type: 'ProvisioningOrderSuperseded',
          data: { ...order, supersededBy: 'o-2', reason: 'RoleModelChanged', ...toStateView(1) },
        },
        {
          type: 'RoleModelEvaluationFailed',
          data: {
            ...order,
            orderId: 'o-2',
            identityId: IDENTITY_ID,
            entitlementId: ENTITLEMENT_ID,
            error: 'boom',
            ...toStateView(7),
          },
        },
      ]);
  });

  it('closed orders are not superseded', () => {
    given(orderInState(4))
      .when(generateCommand('o-2', { changeType: 'Modified' }))
      .then([generatedEvent('o-2', 1, { at, changeType: 'Modified' })]);
  });

  it('a superseded order refuses further commands, naming its state', () => {
    given([
      ...orderInState(1),
      generatedEvent('o-2', 1, { changeType: 'Modified' }),
      {
        type: 'ProvisioningOrderSuperseded',
        data: { ...order, supersededBy: 'o-2', reason: 'RoleModelChanged', ...toStateView(1) },
      },
    ])
      .when(orderCommand('ReportProvisioningOrderExecuted', 'o-1'))
      .thenThrows(
        InvalidTransitionError,
        (e) =>
          e.message ===
          'cannot ReportProvisioningOrderExecuted: order o-1 is in state 1 Pending (closed, superseded by o-2)',
      );
  });

  it('after revocation only Deleted orders are generated', () => {
    given([requestedEvent(), revoked])
      .when(generateCommand('o-2', { changeType: 'Added' }))
      .thenThrows(AssignmentWorkflowError, (e) => e.workflowState === 'Revoked');
  });
});

describe('what an order names: its role-model version and origin', () => {
  it('an order for a rule-given assignment names the rule and the version that computed it', () => {
    given([requestedEvent({ by: 'rule:finance_directory' })])
      .when(generateCommand('o-1', { roleModelVersion: 'a'.repeat(64) }))
      .then([
        generatedEvent('o-1', 1, {
          at: iso(minutes(3)),
          origin: 'rule:finance_directory',
          roleModelVersion: 'a'.repeat(64),
        }),
      ]);
  });
});
