import { ConfigurationError } from './environment';
import { readPeopleSettings } from './people';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    readPeopleSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error('expected a ConfigurationError');
}

describe('how people sign in', () => {
  it('uses tokens only when no OIDC issuer is set', () => {
    expect(readPeopleSettings({})).toEqual({
      oidc: undefined,
      session: { secret: undefined, ttlSeconds: 28800 },
    });
  });

  it('reads the relying party, with the groups claim mapped to roles in the order given', () => {
    const settings = readPeopleSettings({
      OIDC_ISSUER: 'http://127.0.0.1:4444/',
      OIDC_CLIENT_ID: 'console',
      OIDC_CLIENT_SECRET: 'client-secret',
      PUBLIC_URL: 'https://prov.example.com',
      OIDC_ROLES_CLAIM: 'roles',
      OIDC_ROLE_MAPPING: 'IAM Admins=admin, Provisioning Reviewers=reviewer',
    });
    expect(settings.oidc).toEqual({
      issuer: 'http://127.0.0.1:4444',
      clientId: 'console',
      clientSecret: 'client-secret',
      redirectUri: 'https://prov.example.com/api/auth/callback',
      scopes: 'openid profile groups',
      rolesClaim: 'roles',
      roleMapping: [
        { group: 'IAM Admins', role: 'admin' },
        { group: 'Provisioning Reviewers', role: 'reviewer' },
      ],
      nameClaim: 'name',
    });
    expect(
      readPeopleSettings({ OIDC_ISSUER: 'http://idp', OIDC_CLIENT_ID: 'c', PORT: '9090' }).oidc?.redirectUri,
    ).toBe('http://127.0.0.1:9090/api/auth/callback');
  });

  it('names every bad variable and its rule, without echoing secrets', () => {
    const problems = problemsOf({
      OIDC_ISSUER: 'idp.example.com',
      OIDC_ROLE_MAPPING: 'admins=root,reviewers',
      OIDC_SCOPES: 'profile',
      SESSION_SECRET: 'short-secret-value',
      SESSION_TTL_SECONDS: '5',
    });
    expect(problems).toEqual([
      'SESSION_TTL_SECONDS must be an integer from 60 to 604800 (seconds)',
      'SESSION_SECRET must have 32 or more characters (random; it signs console sessions)',
      'OIDC_ISSUER must be an http:// or https:// URL',
      'OIDC_CLIENT_ID is required when OIDC_ISSUER is set',
      "OIDC_ROLE_MAPPING entry 1 ('admins') has role 'root': must be one of requester, reviewer, operator, admin, hr-feed, auditor",
      "OIDC_ROLE_MAPPING entry 2 must be 'group=role'",
      "OIDC_SCOPES must include 'openid'",
    ]);
    expect(problems.join()).not.toContain('short-secret-value');
  });
});
