import { parseRoleModel } from './parse/parse-role-model';
import { traceAccount, traceExpression, traceRules } from './trace';

const MODEL = parseRoleModel(
  `version: 1
rules:
  - id: finance_directory
    entitlement: ldap_finance
    when: department == "Finance"
  - id: by_cost_center
    entitlement: ldap_finance
    when: costCenter == 42
connections:
  - id: corp_ldap
    name: Directory
    connector: ldap
    settings: { urlEnv: LDAP_URL }
resourceTypes:
  - id: ldap_account
    name: Directory account
    connection: corp_ldap
    accountRule: not empty(login)
    accountKey: lower(login)
    attributes:
      displayName: trim(concat(firstName, " ", lastName))
      mail: email
      'badge': 'fail("no badge rule yet")'
entitlements:
  - id: ldap_finance
    name: Finance group
    resourceType: ldap_account
    group: finance
`,
  'trace.yaml',
);

const ADA = {
  id: 'ada',
  login: 'Ada',
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: null,
  department: 'Finance',
};

describe('traceAccount: how the role model computed an account', () => {
  it('gives each attribute with its expression, the attribute values it read, and its value', () => {
    const trace = traceAccount(MODEL, ADA, 'ldap_finance');
    expect(trace).toMatchObject({
      entitlementId: 'ldap_finance',
      resourceTypeId: 'ldap_account',
      connectionId: 'corp_ldap',
      group: 'finance',
      accountRule: { expression: 'not empty(login)', inputs: { login: 'Ada' }, value: true },
      accountKey: { expression: 'lower(login)', inputs: { login: 'Ada' }, value: 'ada' },
    });
    expect(trace?.attributes[0]).toEqual({
      name: 'displayName',
      expression: 'trim(concat(firstName, " ", lastName))',
      inputs: { firstName: 'Ada', lastName: 'Lovelace' },
      value: 'Ada Lovelace',
    });
    expect(trace?.attributes[1]).toEqual({
      name: 'mail',
      expression: 'email',
      inputs: { email: null },
      value: null,
    });
  });

  it('does not stop at a failing expression: the failure is in its place, with the reason', () => {
    const badge = traceAccount(MODEL, ADA, 'ldap_finance')?.attributes.find((a) => a.name === 'badge');
    expect(badge).toEqual({
      name: 'badge',
      expression: 'fail("no badge rule yet")',
      inputs: {},
      error: expect.stringContaining('no badge rule yet'),
    });
    expect(badge).not.toHaveProperty('value');
  });

  it('is undefined for an entitlement the model does not have', () => {
    expect(traceAccount(MODEL, ADA, 'nope')).toBeUndefined();
  });
});

describe('traceRules: which birthright rules hold for an identity', () => {
  it('says per rule whether it holds and on which values; a rule that cannot run holds neither way', () => {
    expect(traceRules(MODEL, ADA, 'ldap_finance')).toEqual([
      {
        ruleId: 'finance_directory',
        entitlementId: 'ldap_finance',
        expression: 'department == "Finance"',
        inputs: { department: 'Finance' },
        value: true,
        holds: true,
      },
      {
        ruleId: 'by_cost_center',
        entitlementId: 'ldap_finance',
        expression: 'costCenter == 42',
        inputs: { costCenter: null },
        error: expect.stringContaining('costCenter'),
        holds: null,
      },
    ]);
    expect(traceRules(MODEL, { ...ADA, department: 'IT', costCenter: 7 })).toEqual([
      expect.objectContaining({ ruleId: 'finance_directory', holds: false, inputs: { department: 'IT' } }),
      expect.objectContaining({ ruleId: 'by_cost_center', holds: false, inputs: { costCenter: 7 } }),
    ]);
  });

  it('lists only the rules of the entitlement asked for', () => {
    expect(traceRules(MODEL, ADA, 'other')).toEqual([]);
  });
});

describe('traceExpression', () => {
  it('names quoted attributes and leaves out constants and function names', () => {
    expect(
      traceExpression(`'cost center' == null or upper(login) == "ADA"`, { login: 'ada', 'cost center': 5 }),
    ).toEqual({
      expression: `'cost center' == null or upper(login) == "ADA"`,
      inputs: { 'cost center': 5, login: 'ada' },
      value: true,
    });
  });
});
