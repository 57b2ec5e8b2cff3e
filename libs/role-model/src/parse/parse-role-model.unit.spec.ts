import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoleModelValidationError } from '../errors';
import { loadRoleModel, parseRoleModel } from './parse-role-model';
import { expectIssue, issuesOf, VALID } from './validation-fixtures.spec';

describe('parseRoleModel: a valid file', () => {
  it('applies the defaults', () => {
    const model = parseRoleModel(VALID, 'model.yaml');
    expect(model.connection('app')?.fulfillment).toBe('automatic');
    expect(model.connection('desk')?.fulfillment).toBe('manual');
    const rt = model.resourceType('app_account')!;
    expect(rt).toMatchObject({
      accountRule: 'true',
      accountKey: 'login',
      requiresProvisioningReview: false,
      transmittedValidityPeriod: null,
    });
    expect(rt.retryPolicy).toEqual({
      maxAttempts: 3,
      backoff: 'exponential',
      initialDelayMs: 60_000,
      maxDelayMs: 3_600_000,
    });
    expect(model.entitlement('app_reader')).toEqual({
      id: 'app_reader',
      name: 'Reader',
      resourceTypeId: 'app_account',
      group: 'readers',
      requiresProvisioningReview: false,
    });
  });

  it('hashes the content, not the layout: comments, key order and spelled-out defaults do not change the version', () => {
    const a = parseRoleModel(VALID, 'a.yaml');
    const reordered = VALID.replace(
      '    name: App account\n    connection: app\n',
      '    connection: app\n    name: App account\n    requiresProvisioningReview: false\n',
    );
    const b = parseRoleModel(`# a comment\n${reordered}`, 'b.yaml');
    expect(b.hash).toBe(a.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.version).toBe(a.hash.slice(0, 12));
    const c = parseRoleModel(VALID.replace('group: readers', 'group: viewers'), 'c.yaml');
    expect(c.hash).not.toBe(a.hash);
  });

  it('takes an attribute without expression (or null) as an empty value', () => {
    const model = parseRoleModel(VALID.replace('firstName + " " + lastName', ''), 'model.yaml');
    expect(model.resourceType('app_account')!.attributes).toEqual({ displayName: 'null' });
    expect(model.evaluate({ login: 'x' }, 'app_reader').changes.attributes).toEqual({ displayName: null });
  });

  it('returns frozen data so no caller can change the model in force', () => {
    const model = parseRoleModel(VALID, 'model.yaml');
    expect(Object.isFrozen(model.resourceType('app_account')!.attributes)).toBe(true);
  });
});

describe('parseRoleModel: every rule is reported with file, path and line', () => {
  it('YAML syntax errors', () => {
    const [issue] = issuesOf('version: 1\nconnections: [\n');
    expect(issue.file).toBe('model.yaml');
    expect(issue.rule).toMatch(/^YAML syntax: /);
    expect(issue.line).toBeGreaterThan(0);
  });

  it('duplicate YAML keys', () => {
    expect(issuesOf('version: 1\nversion: 1\n')[0].rule).toMatch(/unique/);
  });

  it('a file that is not a mapping, and a missing version', () => {
    expect(issuesOf('- a\n')[0]).toMatchObject({ path: '', rule: 'must be a mapping, got a list' });
    expectIssue('connections: []\n', 'version', 'is required');
    expectIssue(VALID.replace('version: 1', 'version: 2'), 'version', 'must be 1');
  });

  it('unknown keys, with a suggestion for typos', () => {
    expectIssue(
      VALID.replace('    group: readers', '    grup: readers'),
      'entitlements[0].grup',
      "did you mean 'group'?",
    );
    expectIssue(`${VALID}extra: 1\n`, 'extra', 'unknown key');
  });

  it('missing required keys', () => {
    expectIssue(VALID.replace('    name: Reader\n', ''), 'entitlements[0].name', 'is required');
  });

  it('ids', () => {
    expectIssue(VALID.replace('id: app_reader', 'id: App-Reader'), 'entitlements[0].id', '[a-z0-9_]+');
    expectIssue(
      VALID.replace('id: desk_ticket', 'id: app_account'),
      'resourceTypes[1].id',
      "duplicate id 'app_account' (already used by resourceTypes[0])",
    );
  });

  it('unknown references', () => {
    expectIssue(
      VALID.replace('connection: app', 'connection: x'),
      'resourceTypes[0].connection',
      "refers to unknown connection 'x' (known: app, desk)",
    );
    expectIssue(
      VALID.replace('resourceType: app_account', 'resourceType: nope'),
      'entitlements[0].resourceType',
      "refers to unknown resource type 'nope'",
    );
  });

  it('an entry with another mistake still counts as declared for references', () => {
    const issues = issuesOf(VALID.replace('connector: sql', 'connector: oracle'));
    expect(issues.map((i) => i.path)).toEqual(['connections[0].connector']);
  });

  it('lists every problem at once, in file order, in a message readable in a terminal', () => {
    const broken = VALID.replace('connector: sql', 'connector: oracle')
      .replace('group: readers', 'grup: readers')
      .replace('connection: app', 'connection: x');
    let error: RoleModelValidationError | undefined;
    try {
      parseRoleModel(broken, 'roles.yaml');
    } catch (e) {
      error = e as RoleModelValidationError;
    }
    expect(error?.issues).toHaveLength(3);
    const lines = error!.issues.map((i) => i.line!);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(error!.message.split('\n')).toEqual([
      'role model roles.yaml is invalid (3 problems):',
      `  roles.yaml:5  connections[0].connector: must be one of ldap, ad, sql, scim, manual, got string "oracle"`,
      `  roles.yaml:13  resourceTypes[0].connection: refers to unknown connection 'x' (known: app, desk)`,
      `  roles.yaml:23  entitlements[0].grup: unknown key (allowed: id, name, resourceType, group, requiresProvisioningReview); did you mean 'group'?`,
    ]);
  });
});

describe('loadRoleModel', () => {
  it('reads a file and names it in messages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'role-model-'));
    const file = join(dir, 'roles.yaml');
    writeFileSync(file, VALID);
    expect(loadRoleModel(file).source).toBe(file);
    writeFileSync(file, VALID.replace('connection: app', 'connection: x'));
    expect(() => loadRoleModel(file)).toThrow(`${file}:13  resourceTypes[0].connection`);
  });

  it('reports a missing file as a validation error', () => {
    expect(() => loadRoleModel('/nonexistent/roles.yaml')).toThrow(
      /roles\.yaml.*cannot be read: file not found/s,
    );
  });
});
