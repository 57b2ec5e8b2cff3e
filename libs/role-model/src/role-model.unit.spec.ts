import { RuleEvaluationError } from './errors';
import { parseRoleModel } from './parse/parse-role-model';
import type { IdentityAttributes } from './types';

const MODEL = parseRoleModel(
  `version: 1
connections:
  - id: app
    name: App
    connector: sql
    settings: { connectionStringEnv: APP_DB_URL, schema: app }
  - id: desk
    name: Desk
    connector: manual
resourceTypes:
  - id: app_account
    name: App account
    connection: app
    accountRule: department in ("IT", "HR")
    accountKey: lower(login)
    attributes:
      displayName: firstName + " " + lastName
      mail: coalesce(email, concat(lower(ascii(firstName)), ".", lower(ascii(lastName)), "@example.org"))
      initials: upper(substr(firstName, 0, 1)) + upper(substr(lastName, 0, 1))
      isIt: department == "IT"
      costCenter: costCenter
      level: 3
      nothing: null
    requiresProvisioningReview: false
  - id: desk_badge
    name: Badge
    connection: desk
    requiresProvisioningReview: true
  - id: broken_account
    name: Broken
    connection: app
    attributes:
      broken: 'fail("rule not written yet: ask IAM")'
  - id: list_account
    name: Returns a list
    connection: app
    attributes:
      bad: (1, 2)
  - id: odd_rules
    name: Rules returning odd things
    connection: app
    accountRule: department
    accountKey: 'if department == "IT" then "" else 7'
entitlements:
  - { id: reader, name: Reader, resourceType: app_account, group: readers }
  - { id: admin, name: Admin, resourceType: app_account, group: admins, requiresProvisioningReview: true }
  - { id: account_only, name: Account only, resourceType: app_account }
  - { id: badge, name: Badge, resourceType: desk_badge }
  - { id: broken, name: Broken, resourceType: broken_account }
  - { id: listy, name: Listy, resourceType: list_account }
  - { id: odd, name: Odd, resourceType: odd_rules }
`,
  'model.yaml',
);

const JOSE: IdentityAttributes = {
  id: 'i-1',
  login: 'JMuller',
  firstName: 'José',
  lastName: 'Müller',
  department: 'IT',
  costCenter: 'CC-42',
};

function evaluationError(identity: IdentityAttributes, entitlementId: string): RuleEvaluationError {
  try {
    MODEL.evaluate(identity, entitlementId);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleEvaluationError);
    return error as RuleEvaluationError;
  }
  throw new Error('expected the evaluation to fail');
}

describe('RoleModel.evaluate', () => {
  it('computes the order: connection, key, attributes, group, fulfillment and review', () => {
    expect(MODEL.evaluate(JOSE, 'reader')).toEqual({
      connectionId: 'app',
      resourceTypeId: 'app_account',
      entitlementId: 'reader',
      fulfillment: 'automatic',
      requiresReview: false,
      changes: {
        accountKey: 'jmuller',
        attributes: {
          displayName: 'José Müller',
          mail: 'jose.muller@example.org',
          initials: 'JM',
          isIt: true,
          costCenter: 'CC-42',
          level: 3,
          nothing: null,
        },
        group: 'readers',
      },
    });
  });

  it('omits the group for an entitlement that grants only the account', () => {
    expect(MODEL.evaluate(JOSE, 'account_only').changes).not.toHaveProperty('group');
  });

  it('requires review when the entitlement or the resource type says so', () => {
    expect(MODEL.evaluate(JOSE, 'reader').requiresReview).toBe(false);
    expect(MODEL.evaluate(JOSE, 'admin').requiresReview).toBe(true);
    expect(MODEL.evaluate(JOSE, 'badge')).toMatchObject({
      requiresReview: true,
      fulfillment: 'manual',
      connectionId: 'desk',
    });
  });

  it('gives well-known attributes as null when the identity lacks them', () => {
    const order = MODEL.evaluate(
      { login: 'bob', firstName: 'Bob', lastName: 'Lee', department: 'HR', costCenter: 'x' },
      'reader',
    );
    expect(order.changes.attributes.mail).toBe('bob.lee@example.org');
    expect(order.changes.attributes.isIt).toBe(false);
  });

  it('fails with a typed error when the accountRule excludes the identity', () => {
    const error = evaluationError({ ...JOSE, department: 'Sales' }, 'reader');
    expect(error.kind).toBe('no-account');
    expect(error.message).toBe(
      'identity JMuller gets no account of resource type app_account (accountRule: department in ("IT", "HR"))',
    );
  });

  it('turns fail() into a RuleEvaluationError naming resource type, entitlement, attribute and cause', () => {
    const error = evaluationError({ login: 'ann' }, 'broken');
    expect(error).toMatchObject({
      kind: 'expression-failed',
      entitlementId: 'broken',
      resourceTypeId: 'broken_account',
      rule: 'attributes.broken',
      identity: 'ann',
      reason: 'rule not written yet: ask IAM',
    });
    expect(error.message).toBe(
      "rule attributes.broken of resource type 'broken_account' (entitlement 'broken') failed for identity ann: rule not written yet: ask IAM",
    );
  });

  it('reports an unknown custom attribute (filtrex returns, rather than throws, that error)', () => {
    const { costCenter: _omitted, ...withoutCostCenter } = JOSE;
    const error = evaluationError(withoutCostCenter, 'reader');
    expect(error).toMatchObject({
      kind: 'expression-failed',
      rule: 'attributes.costCenter',
      reason: "the identity has no attribute 'costCenter'",
    });
  });

  it('reports type errors from operators and helpers', () => {
    const noLastName = evaluationError({ ...JOSE, lastName: null }, 'reader');
    expect(noLastName.rule).toBe('attributes.displayName');
    expect(noLastName.reason).toMatch(/Expected a text or number/);
    const numericName = evaluationError({ ...JOSE, firstName: ['a'] as unknown as string }, 'reader');
    expect(numericName.message).toMatch(/failed for identity JMuller/);
  });

  it('rejects values an order cannot carry', () => {
    const list = evaluationError({ login: 'x' }, 'listy');
    expect(list).toMatchObject({ kind: 'invalid-value', rule: 'attributes.bad' });
    expect(list.reason).toBe('must evaluate to a text, number, true/false or null, got a list');
    expect(evaluationError({ login: 'x', department: 'IT' }, 'odd')).toMatchObject({
      kind: 'invalid-value',
      rule: 'accountRule',
    });
  });

  it('accepts a numeric account key as text and rejects an empty one', () => {
    const odd = parseRoleModel(
      `version: 1
connections: [{ id: c, name: C, connector: sql }]
resourceTypes: [{ id: r, name: R, connection: c, accountKey: 'if department == "IT" then "" else employeeNumber' }]
entitlements: [{ id: e, name: E, resourceType: r }]
`,
      'odd.yaml',
    );
    expect(odd.evaluate({ login: 'x', department: 'HR', employeeNumber: 7 }, 'e').changes.accountKey).toBe(
      '7',
    );
    expect(() => odd.evaluate({ login: 'x', department: 'IT', employeeNumber: 7 }, 'e')).toThrow(
      /accountKey .* must evaluate to a non-empty text/,
    );
  });

  it('fails with a typed error for an entitlement that is not in the model (any more)', () => {
    const error = evaluationError(JOSE, 'gone');
    expect(error.kind).toBe('unknown-entitlement');
    expect(error.message).toBe("entitlement 'gone' is not in the role model (identity JMuller)");
  });
});

describe('RoleModel lookups', () => {
  it('lists and finds connections, resource types and entitlements', () => {
    expect(MODEL.connections().map((c) => c.id)).toEqual(['app', 'desk']);
    expect(MODEL.entitlements()).toHaveLength(7);
    expect(MODEL.entitlement('admin')?.group).toBe('admins');
    expect(MODEL.entitlement('nope')).toBeUndefined();
    expect(MODEL.connection('desk')?.connector).toBe('manual');
    expect(MODEL.resourceType('app_account')?.connectionId).toBe('app');
  });

  it('summarises entitlements for the API with their effective review flag', () => {
    expect(MODEL.entitlementSummaries()[1]).toEqual({
      id: 'admin',
      name: 'Admin',
      resourceTypeId: 'app_account',
      connectionId: 'app',
      fulfillment: 'automatic',
      requiresProvisioningReview: true,
    });
  });
});
