import type { RoleModelConnection } from '@prov/role-model';
import { ConnectorConfigurationError } from '../errors';
import { readScimSettings } from './scim-settings';

function connection(settings: Record<string, unknown>): RoleModelConnection {
  return { id: 'wiki', name: 'Wiki', connector: 'scim', fulfillment: 'automatic', settings };
}

const env = { WIKI_SCIM_TOKEN: 's3cr3t-token' };

function problemsOf(settings: Record<string, unknown>, environment: Record<string, string> = env): string {
  try {
    readScimSettings(connection(settings), environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorConfigurationError);
    expect((error as ConnectorConfigurationError).code).toBe('CONFIGURATION');
    return (error as Error).message;
  }
  throw new Error('expected the settings to be refused');
}

describe('scim connector settings', () => {
  it('reads the token from the environment and applies the defaults', () => {
    expect(
      readScimSettings(
        connection({ baseUrl: 'https://wiki.example.org/scim/v2/', tokenEnv: 'WIKI_SCIM_TOKEN' }),
        env,
      ),
    ).toEqual({
      baseUrl: 'https://wiki.example.org/scim/v2',
      token: 's3cr3t-token',
      timeoutMs: 10_000,
      pageSize: 100,
      userNameAttribute: 'userName',
    });
  });

  it('takes every optional setting', () => {
    const settings = readScimSettings(
      connection({
        baseUrl: 'http://127.0.0.1:8080/scim',
        tokenEnv: 'WIKI_SCIM_TOKEN',
        timeoutMs: 2500,
        pageSize: 50,
        userNameAttribute: 'externalId',
        tls: { rejectUnauthorized: true },
      }),
      env,
    );
    expect(settings).toMatchObject({ timeoutMs: 2500, pageSize: 50, userNameAttribute: 'externalId' });
  });

  it('lists every problem at once, naming the setting and the rule', () => {
    const message = problemsOf(
      {
        baseUrl: 'ftp://wiki.example.org',
        tokenEnv: 'WIKI_SCIM_TOKEN',
        timeoutMs: 0,
        pageSize: 5000,
        userNameAttribute: 'mail',
        tls: { rejectUnauthorized: 'no', ca: 'x' },
        tokn: 'x',
      },
      env,
    );
    expect(message.split('; ')).toEqual([
      "scim connection 'wiki' is misconfigured: settings.tokn is not a setting of the scim connector " +
        '(known: baseUrl, tokenEnv, timeoutMs, pageSize, userNameAttribute, tls)',
      'settings.baseUrl must be an absolute http(s) URL such as https://app.example.com/scim/v2',
      'settings.timeoutMs must be a whole number from 1 to 600000',
      'settings.pageSize must be a whole number from 1 to 1000',
      'settings.userNameAttribute must be one of userName, externalId',
      'settings.tls.ca is not a TLS setting of the scim connector (known: rejectUnauthorized)',
      'settings.tls.rejectUnauthorized must be true or false',
    ]);
  });

  it('refuses a missing baseUrl, credentials in it, and a query', () => {
    expect(problemsOf({ tokenEnv: 'WIKI_SCIM_TOKEN' })).toMatch(/settings\.baseUrl must be an absolute/);
    expect(problemsOf({ baseUrl: 'not a url', tokenEnv: 'WIKI_SCIM_TOKEN' })).toMatch(/settings\.baseUrl/);
    const message = problemsOf({
      baseUrl: 'https://u:pw@wiki.example.org/scim?x=1',
      tokenEnv: 'WIKI_SCIM_TOKEN',
    });
    expect(message).toMatch(/must not contain credentials/);
    expect(message).toMatch(/must not have a query or a fragment/);
    expect(message).not.toContain('pw');
  });

  it('says that switching TLS verification off is not possible, and what to do instead', () => {
    expect(
      problemsOf({
        baseUrl: 'https://wiki',
        tokenEnv: 'WIKI_SCIM_TOKEN',
        tls: { rejectUnauthorized: false },
      }),
    ).toMatch(/rejectUnauthorized: false is not supported: .*undici dispatcher.*NODE_EXTRA_CA_CERTS/);
    expect(problemsOf({ baseUrl: 'https://wiki', tokenEnv: 'WIKI_SCIM_TOKEN', tls: true })).toMatch(
      /settings\.tls must be a mapping/,
    );
  });

  it('names the environment variable of a missing token, never a value', () => {
    expect(problemsOf({ baseUrl: 'https://wiki', tokenEnv: 'WIKI_SCIM_TOKEN' }, {})).toBe(
      "scim connection 'wiki' is misconfigured: connection 'wiki': environment variable WIKI_SCIM_TOKEN " +
        '(settings.tokenEnv) is not set or empty',
    );
    expect(problemsOf({ baseUrl: 'https://wiki' })).toMatch(/has no setting 'tokenEnv'/);
    const multiline = problemsOf({ baseUrl: 'https://wiki', tokenEnv: 'T' }, { T: 'abc\r\nX-Evil: 1' });
    expect(multiline).toMatch(/must be a single line/);
    expect(multiline).not.toContain('X-Evil');
  });
});
