import { RoleModelValidationError } from './errors';
import { parseRoleModel } from './parse/parse-role-model';

const BASE = `version: 1
connections:
  - { id: dir, name: Directory, connector: ldap }
resourceTypes:
  - { id: dir_account, name: Account, connection: dir }
entitlements:
  - { id: finance, name: Finance group, resourceType: dir_account, group: finance }
  - { id: staff, name: Staff group, resourceType: dir_account, group: staff }
`;

const model = (rules: string) => parseRoleModel(`${BASE}rules:\n${rules}`, 'model.yaml');

describe('birthright rules', () => {
  const rules = model(`  - { id: finance_people, entitlement: finance, when: department == "Finance" }
  - { id: everybody, entitlement: staff, when: 'true' }
  - { id: by_level, entitlement: staff, when: level > 3 }
  - { id: not_boolean, entitlement: staff, when: department }
`);
  const jane = { login: 'jdoe', department: 'Finance' };

  it('gives the entitlements whose rule holds for the identity', () => {
    expect(rules.rulesFor({ ...jane, level: 1 }).due).toEqual([
      { ruleId: 'finance_people', entitlementId: 'finance' },
      { ruleId: 'everybody', entitlementId: 'staff' },
    ]);
    expect(rules.rulesFor({ ...jane, department: 'Sales', level: 5 }).due.map((d) => d.ruleId)).toEqual([
      'everybody',
      'by_level',
    ]);
  });

  it('reports a rule that cannot be evaluated or is not true/false, instead of reading it as false', () => {
    const { failed } = rules.rulesFor(jane);
    expect(failed.map((f) => f.ruleId)).toEqual(['by_level', 'not_boolean']);
    expect(failed[1].reason).toContain('true or false');
  });

  it('refuses a rule naming an unknown entitlement, a duplicate id or a bad expression', () => {
    const parse = () =>
      model(`  - { id: a, entitlement: nope, when: 'true' }
  - { id: a, entitlement: staff, when: 'department ==' }
`);
    expect(parse).toThrow(RoleModelValidationError);
    expect(parse).toThrow(/rules\[0\]\.entitlement.*unknown entitlement 'nope'/);
    expect(parse).toThrow(/duplicate id 'a'/);
    expect(parse).toThrow(/rules\[1\]\.when/);
  });

  it('keeps the hash of a model without rules', () => {
    expect(parseRoleModel(BASE, 'model.yaml').definition).not.toHaveProperty('rules');
  });
});
