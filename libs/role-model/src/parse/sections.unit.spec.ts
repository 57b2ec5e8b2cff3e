import { parseRoleModel } from './parse-role-model';
import { expectIssue, issuesOf, VALID } from './validation-fixtures.spec';

describe('parseRoleModel: rules of connections, resource types and entitlements', () => {
  it('connector types and fulfillment', () => {
    expectIssue(
      VALID.replace('connector: sql', 'connector: oracle'),
      'connections[0].connector',
      'must be one of ldap, ad, sql, scim, manual',
    );
    expectIssue(
      VALID.replace('connector: manual', 'connector: manual\n    fulfillment: automatic'),
      'connections[1].fulfillment',
      'must be manual',
    );
    expectIssue(
      VALID.replace('connector: sql', 'connector: sql\n    fulfillment: sometimes'),
      'connections[0].fulfillment',
      'must be one of automatic, manual',
    );
  });

  it('drift response and adoption of existing accounts', () => {
    const connection = (yaml: string) => parseRoleModel(yaml, 'model.yaml').connection('app');
    expect(connection(VALID)).toMatchObject({ onDrift: 'report', adoptExisting: false });
    expect(
      connection(
        VALID.replace('connector: sql', 'connector: sql\n    onDrift: restore\n    adoptExisting: true'),
      ),
    ).toMatchObject({ onDrift: 'restore', adoptExisting: true });
    expectIssue(
      VALID.replace('connector: sql', 'connector: sql\n    onDrift: repair'),
      'connections[0].onDrift',
      'must be one of report, restore',
    );
    expectIssue(
      VALID.replace('connector: sql', 'connector: sql\n    adoptExisting: "yes"'),
      'connections[0].adoptExisting',
      'must be true or false',
    );
    expectIssue(
      VALID.replace('connector: manual', 'connector: manual\n    onDrift: restore'),
      'connections[1].onDrift',
      'must be report for a manual connection',
    );
  });

  it('secrets: only environment variable names', () => {
    const inline = VALID.replace('connectionStringEnv: APP_DB_URL', 'password: hunter2');
    expectIssue(inline, 'connections[0].settings.password', "give its name as 'passwordEnv'");
    expect(
      issuesOf(inline)
        .map((i) => i.rule)
        .join(),
    ).not.toContain('hunter2');
    expectIssue(
      VALID.replace('APP_DB_URL', '"postgres://u:p@h/db"'),
      'connections[0].settings.connectionStringEnv',
      'NAME of an environment variable',
    );
  });

  it('expressions that do not compile, naming the attribute', () => {
    expectIssue(
      VALID.replace('firstName + " " + lastName', 'firstName +'),
      'resourceTypes[0].attributes.displayName',
      /^does not compile: Parse error/,
    );
    expectIssue(
      VALID.replace('firstName + " " + lastName', 'lowr(firstName)'),
      'resourceTypes[0].attributes.displayName',
      "unknown function 'lowr'",
    );
    expectIssue(
      VALID.replace('    connection: desk\n', '    connection: desk\n    accountRule: department ==\n'),
      'resourceTypes[1].accountRule',
      'does not compile',
    );
    expectIssue(
      VALID.replace('    connection: desk\n', '    connection: desk\n    accountKey: ""\n'),
      'resourceTypes[1].accountKey',
      'must not be empty',
    );
  });

  it('does not mistake a function name inside a text for a call', () => {
    expect(() =>
      parseRoleModel(VALID.replace('firstName + " " + lastName', 'concat("nope(", firstName)'), 'm.yaml'),
    ).not.toThrow();
  });

  it('attribute maps', () => {
    expectIssue(
      VALID.replace('      displayName:', '      display name:'),
      'resourceTypes[0].attributes["display name"]',
      'not a valid attribute name',
    );
    expectIssue(
      VALID.replace(/ {4}attributes:\n.*\n/, '    attributes: [a]\n'),
      'resourceTypes[0].attributes',
      'must be a mapping',
    );
  });

  it('booleans, durations and retry policies', () => {
    const rt = (extra: string) => VALID.replace('    connection: desk\n', `    connection: desk\n${extra}`);
    expectIssue(
      rt('    requiresProvisioningReview: "yes"\n'),
      'resourceTypes[1].requiresProvisioningReview',
      'must be true or false',
    );
    expectIssue(
      rt('    transmittedValidityPeriod: 24h\n'),
      'resourceTypes[1].transmittedValidityPeriod',
      'ISO-8601 duration',
    );
    expectIssue(
      rt('    transmittedValidityPeriod: P1M\n'),
      'resourceTypes[1].transmittedValidityPeriod',
      'use days',
    );
    expectIssue(
      rt('    retryPolicy: { maxAttempts: 0 }\n'),
      'resourceTypes[1].retryPolicy.maxAttempts',
      'at least 1',
    );
    expectIssue(
      rt('    retryPolicy: { backoff: linear }\n'),
      'resourceTypes[1].retryPolicy.backoff',
      'must be one of fixed, exponential',
    );
    expectIssue(
      rt('    retryPolicy: { initialDelay: PT1H, maxDelay: PT1M }\n'),
      'resourceTypes[1].retryPolicy.maxDelay',
      'not be shorter than initialDelay',
    );
    expectIssue(
      rt('    retryPolicy: { attempts: 3 }\n'),
      'resourceTypes[1].retryPolicy.attempts',
      'unknown key',
    );
  });
});
