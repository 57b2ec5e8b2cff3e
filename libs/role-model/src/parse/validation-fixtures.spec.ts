import { RoleModelValidationError, type RoleModelIssue } from '../errors';
import { parseRoleModel } from './parse-role-model';

// Shared by the validation tests: a small valid model that each test breaks in one place, and
// helpers that check the report names the path and the rule.

export const VALID = `version: 1
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
    attributes:
      displayName: firstName + " " + lastName
  - id: desk_ticket
    name: Desk ticket
    connection: desk
entitlements:
  - id: app_reader
    name: Reader
    resourceType: app_account
    group: readers
`;

export function issuesOf(text: string, file = 'model.yaml'): RoleModelIssue[] {
  try {
    parseRoleModel(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(RoleModelValidationError);
    return [...(error as RoleModelValidationError).issues];
  }
  throw new Error('expected the role model to be rejected');
}

export function expectIssue(text: string, path: string, rule: string | RegExp): void {
  const issues = issuesOf(text);
  const match = issues.find(
    (i) => i.path === path && (typeof rule === 'string' ? i.rule.includes(rule) : rule.test(i.rule)),
  );
  if (!match)
    throw new Error(
      `no issue at ${path} matching ${rule}; got:\n${issues.map((i) => `${i.path}: ${i.rule}`).join('\n')}`,
    );
}
