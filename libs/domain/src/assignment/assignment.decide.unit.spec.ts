import {
  AssignmentAlreadyExistsError,
  AssignmentNotFoundError,
  AssignmentWorkflowError,
  InvalidTransitionError,
  ValidationError,
} from '../errors';
import { toStateView } from '../provisioning-state';
import {
  ASSIGNMENT_ID,
  ENTITLEMENT_ID,
  evaluationFailedEvent,
  generateCommand,
  generatedEvent,
  IDENTITY_ID,
  iso,
  minutes,
  orderCommand,
  orderInState,
  requestedEvent,
  T0,
} from '../testing/assignment-fixtures';
import { DeciderSpecification } from '../testing/decider-specification';
import { assignmentDecider, assignmentStreamName } from './assignment.decider';
import type { AssignmentEvent } from './assignment.events';

/**
 * decide for the assignment and for order generation: requests, revocations, new orders,
 * re-evaluation of orders in 7 Error and superseding, one given/when/then per row of the
 * transition table (docs/architecture.md §2). Review, fulfilment and the end date of existing orders
 * are in assignment.decide.orders.unit.spec.ts.
 */

const given = DeciderSpecification.for(assignmentDecider);
const at = iso(minutes(3));
const order = { assignmentId: ASSIGNMENT_ID, orderId: 'o-1', at };
const revoked: AssignmentEvent = {
  type: 'AssignmentRevoked',
  data: {
    assignmentId: ASSIGNMENT_ID,
    identityId: IDENTITY_ID,
    entitlementId: ENTITLEMENT_ID,
    at: iso(minutes(2)),
  },
};

describe('assignment requests', () => {
  it('records a request with its dates', () => {
    given([])
      .when({
        type: 'RequestAssignment',
        assignmentId: ASSIGNMENT_ID,
        identityId: IDENTITY_ID,
        entitlementId: ENTITLEMENT_ID,
        startsAt: T0,
        endsAt: minutes(60),
        comment: 'project X',
        now: T0,
        actor: 'alice',
      })
      .then([requestedEvent({ startsAt: iso(T0), endsAt: iso(minutes(60)), comment: 'project X' })]);
  });

  it('refuses a second request for the same assignment', () => {
    given([requestedEvent()])
      .when({
        type: 'RequestAssignment',
        assignmentId: ASSIGNMENT_ID,
        identityId: 'i-1',
        entitlementId: 'e-1',
        now: T0,
      })
      .thenThrows(AssignmentAlreadyExistsError, (e) => e.assignmentId === ASSIGNMENT_ID);
  });

  it('refuses an end date that is not after the start date', () => {
    given([])
      .when({
        type: 'RequestAssignment',
        assignmentId: 'a-1',
        identityId: 'i-1',
        entitlementId: 'e-1',
        startsAt: T0,
        endsAt: T0,
        now: T0,
      })
      .thenThrows(
        ValidationError,
        (e) =>
          e.field === 'endsAt' && e.message === 'invalid RequestAssignment: endsAt must be after startsAt',
      );
  });

  it('refuses any other command for an assignment that does not exist', () => {
    given([]).when(orderCommand('ApproveProvisioningOrder')).thenThrows(AssignmentNotFoundError);
    given([])
      .when({ type: 'RevokeAssignment', assignmentId: 'a-1', now: T0 })
      .thenThrows(AssignmentNotFoundError);
  });

  it('records a revocation once; revoking again is an idempotent no-op', () => {
    given([requestedEvent()])
      .when({ type: 'RevokeAssignment', assignmentId: ASSIGNMENT_ID, now: minutes(2) })
      .then([revoked]);
    given([requestedEvent(), revoked])
      .when({ type: 'RevokeAssignment', assignmentId: ASSIGNMENT_ID, now: minutes(5) })
      .thenNothingHappened();
  });

  it('names its stream assignment-<id>', () => {
    expect(assignmentStreamName('a-1')).toBe('assignment-a-1');
  });
});

describe('order generation (new orders)', () => {
  it('(new) generated, no review needed → 1 Pending', () => {
    given([requestedEvent()])
      .when(generateCommand('o-1'))
      .then([generatedEvent('o-1', 1, { at })]);
  });

  it('(new) generated, review required → 5 AwaitingApproval', () => {
    given([requestedEvent()])
      .when(generateCommand('o-1', { requiresReview: true }))
      .then([generatedEvent('o-1', 5, { at })]);
  });

  it('(new) change already present in synchronized data → 4 Verified (closed at once)', () => {
    given([requestedEvent()])
      .when(generateCommand('o-1', { alreadyPresent: true, requiresReview: true }))
      .then([generatedEvent('o-1', 4, { at, requiresReview: true })]);
  });

  it('(new) end date already passed → 6 Inactive', () => {
    given([requestedEvent({ endsAt: iso(minutes(2)) })])
      .when(generateCommand('o-1', { requiresReview: true }))
      .then([generatedEvent('o-1', 6, { at, requiresReview: true })]);
  });

  it('(new) a Deleted order is not inactive because the end date passed: the access must go', () => {
    given([requestedEvent({ endsAt: iso(minutes(2)) })])
      .when(generateCommand('o-1', { changeType: 'Deleted' }))
      .then([generatedEvent('o-1', 1, { at, changeType: 'Deleted' })]);
  });

  it('(new) rule evaluation throws → 7 Error', () => {
    given([requestedEvent()])
      .when(
        orderCommand('RecordRoleModelEvaluationFailure', 'o-1', {
          error: 'unknown attribute "dept"',
          actor: undefined,
        }),
      )
      .then([
        {
          ...evaluationFailedEvent('o-1', 'unknown attribute "dept"'),
          data: { ...evaluationFailedEvent('o-1', 'unknown attribute "dept"').data, at },
        },
      ]);
  });

  it('the same generation sent twice changes nothing; a different one for the same id is refused', () => {
    given([requestedEvent(), generatedEvent('o-1', 1)])
      .when(generateCommand('o-1'))
      .thenNothingHappened();
    given([requestedEvent(), generatedEvent('o-1', 1)])
      .when(generateCommand('o-1', { changes: { uid: 'other' } }))
      .thenThrows(InvalidTransitionError, (e) => e.state === 1 && e.command === 'GenerateProvisioningOrder');
  });
});

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
