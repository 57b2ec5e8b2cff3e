import { join } from 'node:path';
import { assignmentDecider, type AssignmentEvent, foldEvents, type RegisteredIdentity } from '@prov/domain';
import { loadRoleModel } from '@prov/role-model';
import {
  generatedEvent,
  minutes,
  orderInState,
  requestedEvent,
} from '../../../../libs/domain/src/testing/assignment-fixtures';
import {
  awaitsInitialOrder,
  onSameCurrentOrder,
  orderForMover,
  orderForRequest,
  orderForRevocation,
} from './order-generation.decisions';

const roleModel = loadRoleModel(
  join(__dirname, '..', '..', '..', '..', 'deploy', 'role-model', 'sample.yaml'),
);
const now = minutes(10);
type Existing = Extract<ReturnType<typeof stateOf>, { exists: true }>;
const stateOf = (events: AssignmentEvent[]) => foldEvents(assignmentDecider, events);
const existing = (events: AssignmentEvent[]) => stateOf(events) as Existing;

const jane: RegisteredIdentity = {
  exists: true,
  identityId: 'i-1',
  login: 'jdoe',
  firstName: 'Jane',
  lastName: 'Doe',
  email: 'jane.doe@example.org',
  department: 'Finance',
  attributes: {},
  registeredAt: minutes(-60).toISOString(),
  updatedAt: minutes(-60).toISOString(),
  active: true,
  holdings: {},
} as RegisteredIdentity;

describe('what order a request gets', () => {
  it('given a requested assignment without orders, then it awaits its first order; with one, or with no assignment, not', () => {
    expect(awaitsInitialOrder(stateOf([requestedEvent()]))).toBe(true);
    expect(awaitsInitialOrder(stateOf(orderInState(1)))).toBe(false);
    expect(awaitsInitialOrder(stateOf([]))).toBe(false);
  });

  it('given a registered identity, then an Added order with the account the role model computes', () => {
    const state = existing([requestedEvent({ entitlementId: 'ldap_finance' })]);
    expect(orderForRequest(state, 'o-1', now, jane, roleModel)).toMatchObject({
      type: 'GenerateProvisioningOrder',
      changeType: 'Added',
      connectionId: 'corp_ldap',
      fulfillment: 'automatic',
      requiresReview: false,
      changes: { accountKey: 'jdoe', group: 'finance', attributes: { departmentNumber: 'Finance' } },
    });
  });

  it('given no registered identity, or a rule that throws, then 7 Error with the reason', () => {
    const state = existing([requestedEvent({ entitlementId: 'hr_app_reader' })]);
    expect(orderForRequest(state, 'o-1', now, undefined, roleModel)).toEqual({
      type: 'RecordRoleModelEvaluationFailure',
      assignmentId: 'a-1',
      orderId: 'o-1',
      now,
      actor: 'orders',
      error: 'identity i-1 is not registered',
    });
    const broken = existing([requestedEvent({ entitlementId: 'hr_app_broken' })]);
    expect(orderForRequest(broken, 'o-1', now, jane, roleModel).type).toBe(
      'RecordRoleModelEvaluationFailure',
    );
  });
});

describe('what a revocation removes', () => {
  it('given an order that may have been written, then a Deleted order to send, without the previous key', () => {
    const renamed = generatedEvent('o-1', 1, {
      changes: { accountKey: 'jdoe2', previousAccountKey: 'jdoe' },
    });
    const removal = orderForRevocation(existing([requestedEvent(), renamed]), 'o-2', now);
    expect(removal).toMatchObject({
      changeType: 'Deleted',
      requiresReview: false,
      alreadyPresent: false,
      changes: { accountKey: 'jdoe2' },
    });
    expect(removal?.changes).not.toHaveProperty('previousAccountKey');
  });

  it('given only an order in review, then the removal is already true; given a failed evaluation, nothing to remove', () => {
    expect(orderForRevocation(existing(orderInState(5)), 'o-2', now)?.alreadyPresent).toBe(true);
    expect(orderForRevocation(existing(orderInState(7)), 'o-2', now)).toBeUndefined();
  });
});

describe('the mover', () => {
  const staff = () => {
    const first = orderForRequest(
      existing([requestedEvent({ entitlementId: 'ldap_staff' })]),
      'o-1',
      now,
      jane,
      roleModel,
    );
    return [
      requestedEvent({ entitlementId: 'ldap_staff' }),
      ...assignmentDecider.decide(first, stateOf([requestedEvent({ entitlementId: 'ldap_staff' })])),
    ];
  };

  it('given an unchanged identity, then no order; given a new department, then a Modified order with that value only', () => {
    expect(orderForMover(existing(staff()), jane, 'o-2', now, roleModel)).toBeUndefined();
    const moved = { ...jane, department: 'Sales' };
    expect(orderForMover(existing(staff()), moved, 'o-2', now, roleModel)).toMatchObject({
      type: 'GenerateProvisioningOrder',
      changeType: 'Modified',
      changes: { accountKey: 'jdoe', attributes: { departmentNumber: 'Sales' } },
    });
  });

  it('given the basis order moved on, then the decision is stale', () => {
    const before = existing(staff());
    const basis = Object.values(before.orders)[0];
    expect(onSameCurrentOrder(before, basis)).toBe(true);
    const executed = [
      ...staff(),
      ...assignmentDecider.decide(
        { type: 'ReportProvisioningOrderExecuted', assignmentId: 'a-1', orderId: 'o-1', now, by: 'agent' },
        before,
      ),
    ];
    expect(onSameCurrentOrder(stateOf(executed), basis)).toBe(false);
  });
});
