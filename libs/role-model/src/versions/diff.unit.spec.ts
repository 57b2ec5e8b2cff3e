import { parseRoleModel } from '../parse/parse-role-model';
import { diffRoleModels, roleModelTextDiff } from './diff';

const BEFORE = `version: 1
connections:
  - id: corp_ldap
    name: Directory
    connector: ldap
    settings: { urlEnv: LDAP_URL }
  - id: desk
    name: Desk
    connector: manual
resourceTypes:
  - id: ldap_account
    name: Directory account
    connection: corp_ldap
    attributes:
      mail: email
entitlements:
  - id: ldap_staff
    name: Staff
    resourceType: ldap_account
    group: staff
  - id: ldap_old
    name: Old
    resourceType: ldap_account
    group: old
`;

const AFTER = `version: 1
# the finance group arrives with its rule; old goes
rules:
  - id: finance_directory
    entitlement: ldap_finance
    when: department == "Finance"
connections:
  - id: corp_ldap
    name: Directory
    connector: ldap
    settings: { urlEnv: LDAP_URL }
  - id: desk
    name: Front desk
    connector: manual
resourceTypes:
  - id: ldap_account
    name: Directory account
    connection: corp_ldap
    attributes:
      mail: lower(email)
entitlements:
  - id: ldap_staff
    name: Staff
    resourceType: ldap_account
    group: staff
  - id: ldap_finance
    name: Finance
    resourceType: ldap_account
    group: finance
`;

describe('diffRoleModels: what changed between two role-model versions', () => {
  const before = parseRoleModel(BEFORE, 'a.yaml').definition;
  const after = parseRoleModel(AFTER, 'b.yaml').definition;

  it('lists added, removed and changed items per section, changed ones with the fields before and after', () => {
    const diff = diffRoleModels(before, after);
    expect(diff.same).toBe(false);
    expect(diff.sections.entitlements).toEqual({
      added: ['ldap_finance'],
      removed: ['ldap_old'],
      changed: [],
    });
    expect(diff.sections.rules).toEqual({ added: ['finance_directory'], removed: [], changed: [] });
    expect(diff.sections.connections).toEqual({
      added: [],
      removed: [],
      changed: [{ id: 'desk', fields: { name: { from: 'Desk', to: 'Front desk' } } }],
    });
    expect(diff.sections.resourceTypes.changed).toEqual([
      {
        id: 'ldap_account',
        fields: { attributes: { from: { mail: 'email' }, to: { mail: 'lower(email)' } } },
      },
    ]);
  });

  it('is the reverse when read the other way, and empty for a model against itself', () => {
    expect(diffRoleModels(after, before).sections.entitlements).toEqual({
      added: ['ldap_old'],
      removed: ['ldap_finance'],
      changed: [],
    });
    const same = diffRoleModels(before, parseRoleModel(`# a comment only\n${BEFORE}`, 'c.yaml').definition);
    expect(same.same).toBe(true);
  });
});

describe('roleModelTextDiff', () => {
  it('is a unified diff of the deployed texts, comments included', () => {
    const text = roleModelTextDiff({ label: 'v1', text: BEFORE }, { label: 'v2', text: AFTER });
    expect(text).toContain('--- v1');
    expect(text).toContain('+++ v2');
    expect(text).toContain('+# the finance group arrives with its rule; old goes');
    expect(text).toContain('-      mail: email');
    expect(text).toContain('+      mail: lower(email)');
  });
});
