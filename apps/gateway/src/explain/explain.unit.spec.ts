import { parseRoleModel } from '@prov/role-model';
import { type ExplainedEvent, explainAssignment } from './explain-assignment';
import { whyAccess } from './why-not';

const MODEL = parseRoleModel(
  `version: 1
rules:
  - id: finance_directory
    entitlement: ldap_finance
    when: department == "Finance"
connections:
  - id: corp_ldap
    name: Directory
    connector: ldap
    settings: { urlEnv: LDAP_URL }
resourceTypes:
  - id: ldap_account
    name: Directory account
    connection: corp_ldap
    accountKey: login
    attributes:
      mail: email
entitlements:
  - id: ldap_finance
    name: Finance
    resourceType: ldap_account
    group: finance
`,
  'm.yaml',
);

let revision = 0;
function event(
  type: string,
  at: string,
  data: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): ExplainedEvent {
  return {
    type,
    data: { at, ...data },
    metadata: { occurredAt: at, ...metadata },
    revision: revision++,
    createdAt: new Date(at),
  };
}

const identity = [
  event('IdentityRegistered', '2030-01-01T08:00:00.000Z', {
    identityId: 'ada',
    login: 'ada',
    firstName: 'Ada',
    lastName: 'L',
    email: 'old@x.org',
    department: 'IT',
    attributes: {},
  }),
  event('IdentityUpdated', '2030-01-01T09:00:00.000Z', {
    identityId: 'ada',
    changes: { department: 'Finance', email: 'ada@x.org' },
  }),
];
const ids = { assignmentId: 'a-1', identityId: 'ada', entitlementId: 'ldap_finance' };
const order = { assignmentId: 'a-1', orderId: 'o-1' };

describe('explainAssignment: the causal chain from the events', () => {
  it('given a rule-given assignment through to verification, it names the rule with the values that made it hold, the version, the computed account, the connector call and the observation', () => {
    const assignment = [
      event('AssignmentRequested', '2030-01-01T09:00:01.000Z', { ...ids, by: 'rule:finance_directory' }),
      event('ProvisioningOrderGenerated', '2030-01-01T09:00:02.000Z', {
        ...order,
        changeType: 'Added',
        provisioningState: 'Pending',
        origin: 'rule:finance_directory',
        roleModelVersion: MODEL.hash,
      }),
      event('ProvisioningOrderExecuted', '2030-01-01T09:00:03.000Z', {
        ...order,
        attempt: 1,
        reportedBy: 'agent',
        connectorCall: {
          operation: 'create-or-converge',
          target: 'uid=ada,ou=people',
          attributes: ['mail'],
          durationMs: 4,
        },
      }),
      event('ProvisioningOrderVerified', '2030-01-01T09:05:00.000Z', order, {
        actor: 'synchronization',
        causationId: 'sync-1',
      }),
    ];
    const explained = explainAssignment(assignment, identity, new Map([[MODEL.hash, MODEL]]));
    expect(explained?.steps.map((s) => s.kind)).toEqual(['rule', 'order', 'attempt', 'observation']);
    expect(explained?.steps[0]).toMatchObject({
      kind: 'rule',
      ruleId: 'finance_directory',
      rule: { holds: true, inputs: { department: 'Finance' } },
    });
    expect(explained?.steps[1]).toMatchObject({
      kind: 'order',
      roleModelVersion: MODEL.hash,
      origin: 'rule:finance_directory',
      account: {
        accountKey: { value: 'ada' },
        attributes: [
          { name: 'mail', expression: 'email', inputs: { email: 'ada@x.org' }, value: 'ada@x.org' },
        ],
      },
    });
    expect(explained?.steps[2]).toMatchObject({
      kind: 'attempt',
      result: 'executed',
      connectorCall: { target: 'uid=ada,ou=people' },
    });
    expect(explained?.steps[3]).toMatchObject({
      kind: 'observation',
      by: 'synchronization',
      synchronization: 'sync-1',
    });
  });

  it('given a requested assignment with a review, it names who asked, when and why, and the reviewer decision; the account uses the identity as it was then', () => {
    const assignment = [
      event('AssignmentRequested', '2030-01-01T08:30:00.000Z', {
        ...ids,
        by: 'rita',
        comment: 'needs the reports',
      }),
      event('ProvisioningOrderGenerated', '2030-01-01T08:30:01.000Z', {
        ...order,
        changeType: 'Added',
        provisioningState: 'AwaitingApproval',
        roleModelVersion: 'unknown-hash',
      }),
      event('ProvisioningOrderApproved', '2030-01-01T08:40:00.000Z', { ...order, by: 'rex', comment: 'ok' }),
      event('ProvisioningOrderErrored', '2030-01-01T08:41:00.000Z', {
        ...order,
        attempt: 1,
        error: 'server down',
      }),
    ];
    const explained = explainAssignment(assignment, identity, new Map(), MODEL);
    expect(explained?.steps[0]).toEqual({
      kind: 'request',
      at: '2030-01-01T08:30:00.000Z',
      by: 'rita',
      comment: 'needs the reports',
    });
    expect(explained?.steps[1]).toMatchObject({
      account: { attributes: [{ name: 'mail', value: 'old@x.org' }] },
    });
    expect(explained?.steps[2]).toMatchObject({
      kind: 'decision',
      decision: 'approved',
      by: 'rex',
      comment: 'ok',
    });
    expect(explained?.steps[3]).toMatchObject({ kind: 'attempt', result: 'errored', error: 'server down' });
  });

  it('given no request in the stream, there is nothing to explain', () => {
    expect(explainAssignment([], identity, new Map())).toBeUndefined();
  });
});

describe('whyAccess: why a person has an entitlement, or why not', () => {
  const base = { entitlementId: 'ldap_finance', entitlementExists: true, identityActive: true, rules: [] };
  const assignment = {
    assignmentId: 'a-1',
    workflowState: 'Requested',
    provisioningState: 'Verified',
    provisioningStateCode: 4,
  };

  it('given a verified assignment, the access is there', () => {
    expect(whyAccess({ ...base, assignment })).toEqual({
      has: true,
      reasons: [expect.objectContaining({ code: 'provisioned' })],
    });
  });

  it('given no assignment, it names the missing request and each rule that does not hold, with the values', () => {
    const rule = {
      ruleId: 'finance_directory',
      entitlementId: 'ldap_finance',
      expression: 'department == "Finance"',
      inputs: { department: 'IT' },
      value: false,
      holds: false,
    };
    const answer = whyAccess({ ...base, rules: [rule] });
    expect(answer.has).toBe(false);
    expect(answer.reasons.map((r) => r.code)).toEqual(['no-request', 'no-rule-holds']);
    expect(answer.reasons[1].message).toContain('"department":"IT"');
  });

  it.each([
    [5, 'AwaitingApproval', 'Requested', 'awaiting-review'],
    [3, 'Errored', 'Requested', 'order-errored'],
    [7, 'Error', 'Requested', 'evaluation-failed'],
    [0, 'None', 'Declined', 'declined'],
    [1, 'Pending', 'Requested', 'in-progress'],
  ])('given an assignment in state %s (%s, %s), the reason is %s', (code, state, workflowState, reason) => {
    const answer = whyAccess({
      ...base,
      assignment: {
        ...assignment,
        provisioningStateCode: code,
        provisioningState: state,
        workflowState,
        lastError: 'boom',
      },
    });
    expect(answer).toMatchObject({ has: false, reasons: [{ code: reason }] });
  });

  it('given an entitlement the model does not have, it says so', () => {
    expect(whyAccess({ ...base, entitlementExists: false }).reasons).toEqual([
      { code: 'unknown-entitlement', message: expect.stringContaining('ldap_finance') },
    ]);
  });
});
