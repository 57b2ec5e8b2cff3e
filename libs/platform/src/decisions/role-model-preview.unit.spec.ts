import {
  type Assignment,
  type ProvisioningOrder,
  ProvisioningState,
  type RegisteredIdentity,
} from '@prov/domain';
import { parseRoleModel } from '@prov/role-model';
import { reevaluate } from './reevaluation';
import { addToSummary, emptySummary, previewSubject } from './role-model-preview';

const MODEL_TEXT = `version: 1
rules:
  - { id: it_reader, entitlement: reader, when: department == "IT" }
connections:
  - { id: app, name: App, connector: sql, settings: { connectionStringEnv: APP_DB_URL } }
resourceTypes:
  - id: app_account
    name: App account
    connection: app
    accountKey: lower(login)
    attributes:
      displayName: firstName + " " + lastName
entitlements:
  - { id: reader, name: Reader, resourceType: app_account, group: readers }
  - { id: writer, name: Writer, resourceType: app_account, group: writers }
`;
const CURRENT = parseRoleModel(MODEL_TEXT, 'current.yaml');
const NOW = new Date('2030-01-01T00:00:00Z');

function identity(
  id: string,
  department: string,
  holdings: RegisteredIdentity['holdings'] = {},
): RegisteredIdentity {
  return {
    exists: true,
    identityId: id,
    login: id.toUpperCase(),
    firstName: 'Ada',
    lastName: id,
    email: `${id}@x`,
    department,
    attributes: {},
    registeredAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    active: true,
    holdings,
  };
}

/** An assignment whose current order is what the current model computes, in the given state. */
function assignment(
  who: RegisteredIdentity,
  entitlementId: string,
  stateCode: number = ProvisioningState.Verified,
): Assignment {
  const evaluated = CURRENT.evaluate(
    {
      id: who.identityId,
      login: who.login,
      firstName: who.firstName,
      lastName: who.lastName,
      email: who.email,
      department: who.department ?? null,
    },
    entitlementId,
  );
  const order: ProvisioningOrder = {
    orderId: `o-${who.identityId}-${entitlementId}`,
    changeType: 'Added',
    connectionId: evaluated.connectionId,
    resourceTypeId: evaluated.resourceTypeId,
    fulfillment: evaluated.fulfillment,
    changes: evaluated.changes as unknown as Record<string, unknown>,
    requiresReview: false,
    stateCode: stateCode as ProvisioningOrder['stateCode'],
    attempt: 1,
    open: stateCode !== ProvisioningState.Verified,
    updatedAt: NOW.toISOString(),
  };
  return {
    exists: true,
    assignmentId: `a-${who.identityId}-${entitlementId}`,
    identityId: who.identityId,
    entitlementId,
    requestedAt: NOW.toISOString(),
    workflowState: 'Requested',
    orders: { [order.orderId]: order },
    currentOrderId: order.orderId,
  };
}

const ann = identity('ann', 'HR', { writer: { assignmentId: 'a-ann-writer', holders: ['request'] } });
const bob = identity('bob', 'IT', {
  reader: { assignmentId: 'a-bob-reader', holders: ['rule:it_reader'] },
  writer: { assignmentId: 'a-bob-writer', holders: ['request'] },
});
const subjects = [
  { identity: ann, assignments: [assignment(ann, 'writer')] },
  { identity: bob, assignments: [assignment(bob, 'reader'), assignment(bob, 'writer')] },
];

function preview(candidateText: string) {
  const models = { current: CURRENT, candidate: parseRoleModel(candidateText, 'candidate.yaml'), now: NOW };
  const summary = emptySummary();
  const orders = subjects.flatMap((s) => {
    const own = previewSubject(models, s);
    addToSummary(summary, s, own);
    return own;
  });
  return { orders, summary };
}

describe('role model preview', () => {
  it('given the model in force as candidate, then nothing would change', () => {
    expect(preview(MODEL_TEXT).summary).toEqual({
      identities: 2,
      assignments: 3,
      orders: { added: 0, modified: 0, deleted: 0, failing: 0 },
      byConnection: [],
    });
  });

  it('given a changed attribute expression, then every written account gets a Modified order caused by the candidate', () => {
    const { orders, summary } = preview(
      MODEL_TEXT.replace('firstName + " " + lastName', 'lastName + ", " + firstName'),
    );
    expect(orders.map((o) => [o.assignmentId, o.changeType, o.reason, o.alsoUnderCurrentModel])).toEqual([
      ['a-ann-writer', 'Modified', 'modified', false],
      ['a-bob-reader', 'Modified', 'modified', false],
      ['a-bob-writer', 'Modified', 'modified', false],
    ]);
    expect(orders[0].changes).toMatchObject({ attributes: { displayName: 'ann, Ada' } });
    // bob's two orders change one account.
    expect(summary.byConnection).toEqual([
      {
        connectionId: 'app',
        accounts: { added: 0, modified: 2, deleted: 0 },
        memberships: { added: 0, modified: 0, deleted: 0 },
      },
    ]);
  });

  it('given a removed entitlement, then its assignments get Deleted orders; a shared account stays', () => {
    const candidate = MODEL_TEXT.replace(
      '  - { id: writer, name: Writer, resourceType: app_account, group: writers }\n',
      '',
    );
    const { orders, summary } = preview(candidate);
    expect(orders.map((o) => [o.assignmentId, o.changeType, o.reason])).toEqual([
      ['a-ann-writer', 'Deleted', 'removed'],
      ['a-bob-writer', 'Deleted', 'removed'],
    ]);
    expect(summary.byConnection[0]).toEqual({
      connectionId: 'app',
      accounts: { added: 0, modified: 0, deleted: 1 },
      memberships: { added: 0, modified: 0, deleted: 2 },
    });
  });

  it('given a birthright rule widened and another narrowed, then grants are Added and releases Deleted', () => {
    const { orders } = preview(MODEL_TEXT.replace('department == "IT"', 'department == "HR"'));
    expect(orders.map((o) => [o.identityId, o.entitlementId, o.changeType, o.reason])).toEqual([
      ['ann', 'reader', 'Added', 'granted'],
      ['bob', 'reader', 'Deleted', 'released'],
    ]);
  });

  it('given an expression that fails for some identities, then those orders are failing with the engine message', () => {
    const { orders, summary } = preview(MODEL_TEXT.replace('firstName + " " + lastName', 'fail("not yet")'));
    expect(summary.orders.failing).toBe(3);
    expect(orders[0].error).toMatch(/rule attributes.displayName .* failed for identity ANN: .*not yet/);
  });

  it('reevaluate regenerates an order in 7 Error under the model and leaves a Deleted order alone', () => {
    const failed = assignment(ann, 'writer', ProvisioningState.Error);
    expect(
      reevaluate(CURRENT, failed, { login: 'ANN', firstName: 'Ada', lastName: 'ann', department: 'HR' }),
    ).toMatchObject({ kind: 'regenerated', order: { changeType: 'Added' } });
    const pending = assignment(ann, 'writer', ProvisioningState.AwaitingApproval);
    const changed = parseRoleModel(MODEL_TEXT.replace('firstName + " " + lastName', 'login'), 'c.yaml');
    // Never written (still in review): the new order adds, it does not modify.
    expect(reevaluate(changed, pending, { login: 'ANN', firstName: 'Ada', lastName: 'ann' })).toMatchObject({
      kind: 'modified',
      order: { changeType: 'Added' },
    });
    const deleted = {
      ...pending,
      orders: {
        x: { ...pending.orders[pending.currentOrderId!], orderId: 'x', changeType: 'Deleted' as const },
      },
      currentOrderId: 'x',
    };
    expect(reevaluate(changed, deleted, { login: 'ANN' })).toEqual({ kind: 'unchanged' });
  });
});
