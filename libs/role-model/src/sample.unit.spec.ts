import { join } from 'node:path';
import { RuleEvaluationError } from './errors';
import { loadRoleModel } from './parse/parse-role-model';

// The sample ships in deploy/ and is what the services start with in demos and end-to-end tests.
const SAMPLE = join(__dirname, '..', '..', '..', 'deploy', 'role-model', 'sample.yaml');

describe('deploy/role-model/sample.yaml', () => {
  const model = loadRoleModel(SAMPLE);
  const jane = {
    id: 'i-1',
    login: 'jdoe',
    firstName: 'Jane',
    lastName: 'Doe',
    email: 'jane.doe@example.org',
    department: 'Finance',
  };

  it('parses', () => {
    expect(model.connections().map((c) => [c.id, c.connector, c.fulfillment])).toEqual([
      ['hr_app', 'sql', 'automatic'],
      ['badge_office', 'manual', 'manual'],
      ['corp_ldap', 'ldap', 'automatic'],
    ]);
    expect(model.connection('hr_app')?.settings).toEqual({
      connectionStringEnv: 'HR_APP_DATABASE_URL',
      schema: 'hr_app',
    });
    expect(model.entitlements().map((e) => e.id)).toEqual([
      'hr_app_reader',
      'hr_app_admin',
      'building_badge',
      'parking_badge',
      'hr_app_auditor',
      'hr_app_broken',
      'ldap_staff',
      'ldap_finance',
    ]);
  });

  it('puts staff into the directory, with the secrets and the URL left to the environment', () => {
    expect(model.connection('corp_ldap')?.settings).toMatchObject({
      urlEnv: 'CORP_LDAP_URL',
      bindPasswordEnv: 'CORP_LDAP_PASSWORD',
    });
    expect(model.evaluate(jane, 'ldap_staff')).toEqual({
      connectionId: 'corp_ldap',
      resourceTypeId: 'corp_ldap_account',
      entitlementId: 'ldap_staff',
      fulfillment: 'automatic',
      requiresReview: false,
      changes: {
        accountKey: 'jdoe',
        attributes: {
          cn: 'Jane Doe',
          sn: 'Doe',
          givenName: 'Jane',
          displayName: 'Jane Doe',
          mail: 'jane.doe@example.org',
          departmentNumber: 'Finance',
        },
        group: 'staff',
      },
    });
  });

  it('provisions a reader without review and an admin with review', () => {
    const reader = model.evaluate(jane, 'hr_app_reader');
    expect(reader).toEqual({
      connectionId: 'hr_app',
      resourceTypeId: 'hr_app_account',
      entitlementId: 'hr_app_reader',
      fulfillment: 'automatic',
      requiresReview: false,
      changes: {
        accountKey: 'jdoe',
        attributes: {
          login: 'jdoe',
          displayName: 'Jane Doe',
          email: 'jane.doe@example.org',
          department: 'Finance',
        },
        group: 'readers',
      },
    });
    expect(model.evaluate(jane, 'hr_app_admin')).toMatchObject({
      requiresReview: true,
      changes: { group: 'admins' },
    });
  });

  it('sends badges to people', () => {
    expect(model.evaluate(jane, 'building_badge')).toMatchObject({
      connectionId: 'badge_office',
      fulfillment: 'manual',
      requiresReview: false,
    });
    expect(model.transmittedValidityMs('badge')).toBe(15 * 86_400_000);
  });

  it('has an entitlement whose rule throws, for state 7 Error', () => {
    expect(() => model.evaluate(jane, 'hr_app_broken')).toThrow(RuleEvaluationError);
    expect(() => model.evaluate(jane, 'hr_app_broken')).toThrow(
      /attributes\.login .*'hr_app_broken_account'.*role model bug/,
    );
  });

  it('puts everybody in Finance into the finance group of the directory by rule', () => {
    expect(model.rulesFor({ ...jane, department: 'Finance' })).toEqual({
      due: [{ ruleId: 'finance_directory', entitlementId: 'ldap_finance' }],
      failed: [],
    });
    expect(model.rulesFor({ ...jane, department: 'Sales' }).due).toEqual([]);
  });
});
