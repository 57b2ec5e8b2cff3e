import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiToken, parseApiTokens } from '@prov/config';
import { withDatabase } from './infrastructure';
import { chooseApiTokens, SAMPLE_IDENTITIES, summaryText } from './sample-data';

describe('npm start', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'prov-start-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses API_TOKENS as given: hashes, so no token is known or printed', () => {
    const value = `hr-feed:requester:${hashApiToken('rrrrrrrr')},ops:admin:${hashApiToken('aaaaaaaa')}`;
    expect(chooseApiTokens({ API_TOKENS: value }, join(dir, 'demo.json'))).toEqual({
      value,
      byRole: {},
      demo: false,
    });
    expect(() => chooseApiTokens({ API_TOKENS: 'aaaaaaaa:admin' }, join(dir, 'demo.json'))).toThrow(
      /name:role:sha256/,
    );
  });

  it('makes demo tokens once and keeps them for the next start', () => {
    const file = join(dir, 'demo.json');
    const first = chooseApiTokens({}, file);
    expect(first.demo).toBe(true);
    expect([...parseApiTokens(first.value).values()].map((t) => t.role).sort()).toEqual([
      'admin',
      'auditor',
      'hr-feed',
      'operator',
      'requester',
      'reviewer',
    ]);
    expect(first.value).not.toContain(first.byRole.admin);
    expect(parseApiTokens(first.value).get(hashApiToken(first.byRole.reviewer!))?.name).toBe('demo-reviewer');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(chooseApiTokens({}, file)).toEqual(first);
    expect(JSON.parse(readFileSync(file, 'utf8')).reviewer).toBe(first.byRole.reviewer);
  });

  it('has sample identities with fixed, distinct ids', () => {
    expect(SAMPLE_IDENTITIES).toHaveLength(5);
    expect(new Set(SAMPLE_IDENTITIES.map((i) => i.id)).size).toBe(5);
    expect(SAMPLE_IDENTITIES.map((i) => i.id)).toContain('alice.martin');
  });

  it('prints the API, its docs and curl commands with the right tokens', () => {
    const tokens = chooseApiTokens({}, join(dir, 'demo.json'));
    const text = summaryText({
      apiUrl: 'http://127.0.0.1:8080/',
      nats: 'nats://127.0.0.1:4222',
      database: 'postgres://postgres@127.0.0.1:5432/provisioning',
      hrAppDatabase: 'postgres://postgres@127.0.0.1:5432/hr_app',
      logDir: '.run/logs',
      tokens,
      demoTokensFile: '.run/demo-tokens.json',
    });
    expect(text).toContain('http://127.0.0.1:8080/api/docs');
    expect(text).toContain(`curl -s -X POST http://127.0.0.1:8080/api/assignments \\`);
    expect(text).toContain(`-H 'Authorization: Bearer ${tokens.byRole.requester}'`);
    expect(text).toContain(`'{"identityId":"alice.martin","entitlementId":"hr_app_reader"}'`);
    expect(text).toContain(
      `curl -s http://127.0.0.1:8080/api/review/orders -H 'Authorization: Bearer ${tokens.byRole.reviewer}'`,
    );
    expect(text).toContain(tokens.byRole.admin);
  });

  it('points a URL at another database on the same server', () => {
    expect(withDatabase('postgres://u:p%40ss@db.example:6432/provisioning?sslmode=require', 'hr_app')).toBe(
      'postgres://u:p%40ss@db.example:6432/hr_app?sslmode=require',
    );
  });
});
