import {
  AssignmentAlreadyExistsError,
  AssignmentNotFoundError,
  InvalidTransitionError,
  ValidationError,
} from '../errors';
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
  requestedEvent,
  revokedEvent,
  T0,
} from '../testing/assignment-fixtures';
import { DeciderSpecification } from '../testing/decider-specification';
import { assignmentDecider, assignmentStreamName } from './assignment.decider';

/**
 * decide for the assignment and for new orders: requests, revocations and order generation, one
 * given/when/then per row of the transition table (docs/architecture.md §2). Re-evaluation of
 * orders in 7 Error, superseding and what an order names are in
 * assignment.decide.regeneration.unit.spec.ts; review, fulfilment and the end date of existing
 * orders in assignment.decide.orders.unit.spec.ts.
 */

const given = DeciderSpecification.for(assignmentDecider);
const at = iso(minutes(3));
const revoked = revokedEvent();

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
