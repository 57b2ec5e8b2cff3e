import { boundaryViolations, isTestCode, kindFromTags, type ProjectFacts } from './boundary-rules';

const projects: ProjectFacts[] = [
  { name: 'domain', kind: 'domain' },
  { name: 'event-store', kind: 'lib' },
  { name: 'testing', kind: 'testing' },
  { name: 'gateway', kind: 'app' },
  { name: 'projector', kind: 'app' },
  { name: 'web', kind: 'console' },
];

const judge = (project: string, file: string, ...dependsOn: string[]) =>
  boundaryViolations(projects, [{ project, file, dependsOn }]);

describe('module boundaries', () => {
  it('lets apps depend on libs and libs on the domain', () => {
    expect(judge('gateway', 'apps/gateway/src/main.ts', 'event-store', 'domain')).toEqual([]);
    expect(judge('event-store', 'libs/event-store/src/index.ts', 'domain')).toEqual([]);
  });

  it('keeps the domain free of every other project', () => {
    expect(judge('domain', 'libs/domain/src/index.ts', 'event-store')).toEqual([
      {
        file: 'libs/domain/src/index.ts',
        from: 'domain',
        to: 'event-store',
        rule: 'a domain may not depend on a lib',
      },
    ]);
  });

  it('refuses an app importing another app in production code, allows it in an app test', () => {
    expect(judge('gateway', 'apps/gateway/src/main.ts', 'projector')[0]?.rule).toBe(
      'an app never imports another app',
    );
    expect(judge('gateway', 'apps/gateway/src/http/edge.int.spec.ts', 'projector')).toEqual([]);
  });

  it('keeps the test harness out of production code', () => {
    expect(judge('event-store', 'libs/event-store/src/postgres/store.ts', 'testing')[0]?.rule).toBe(
      'a lib may not depend on a testing',
    );
    expect(judge('event-store', 'libs/event-store/src/testing/contract.ts', 'testing')).toEqual([]);
  });

  it('lets the console use libraries but never a service or the harness', () => {
    expect(judge('web', 'apps/web/src/api/states.ts', 'domain')).toEqual([]);
    expect(judge('web', 'apps/web/src/format.ts', 'event-store')).toEqual([]);
    expect(judge('web', 'apps/web/src/api/client.ts', 'gateway')[0]?.rule).toBe(
      'a console may not depend on an app',
    );
    expect(judge('web', 'apps/web/src/api/client.ts', 'testing')).toHaveLength(1);
  });

  it('recognises test code by name and folder', () => {
    expect(isTestCode('libs/x/src/a.unit.spec.ts')).toBe(true);
    expect(isTestCode('libs/connectors/src/ldap/ldap-test-directory.ts')).toBe(true);
    expect(isTestCode('apps/web/e2e/console-harness.ts')).toBe(true);
    expect(isTestCode('libs/domain/src/testing/assignment-fixtures.ts')).toBe(true);
    expect(isTestCode('libs/connectors/src/ldap/ldap-connector.ts')).toBe(false);
    expect(isTestCode('libs/platform/src/contest.ts')).toBe(false);
  });

  it('reads the kind from the type tag', () => {
    expect(kindFromTags(['scope:x', 'type:lib'])).toBe('lib');
    expect(kindFromTags(['type:unknown'])).toBeUndefined();
    expect(kindFromTags(undefined)).toBeUndefined();
  });
});
