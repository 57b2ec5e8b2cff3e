import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoleModelConnection } from '@prov/role-model';
import { ConnectorConfigurationError } from '../errors';
import { AD_DEFAULT_ATTRIBUTES, readAdSettings } from './ad-settings';

const settings = {
  url: 'ldaps://dc1.example.test:636',
  bindDn: 'CN=svc-prov,OU=Service,DC=example,DC=test',
  bindPasswordEnv: 'AD_BIND_PASSWORD',
  usersDn: 'OU=People,DC=example,DC=test',
  groupsDn: 'OU=Groups,DC=example,DC=test',
  upnSuffix: 'example.test',
};
const env = { AD_BIND_PASSWORD: 'bind-S3cret!' };

function connection(overrides: Record<string, unknown> = {}): RoleModelConnection {
  return {
    id: 'corp_ad',
    name: 'AD',
    connector: 'ad',
    fulfillment: 'automatic',
    settings: { ...settings, ...overrides },
  };
}

function problems(overrides: Record<string, unknown>, environment: Record<string, string> = env): string {
  try {
    readAdSettings(connection(overrides), environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorConfigurationError);
    return (error as Error).message;
  }
  throw new Error('the settings were accepted');
}

describe('readAdSettings', () => {
  it('applies the defaults and reads the bind password from the environment', () => {
    const { bindPasswordEnv: _, ...plain } = settings;
    expect(readAdSettings(connection(), env)).toEqual({
      ...plain,
      bindPassword: 'bind-S3cret!',
      onDelete: 'delete',
      attributes: AD_DEFAULT_ATTRIBUTES,
      timeoutMs: 10_000,
      pageSize: 500,
      tls: { rejectUnauthorized: true },
    });
  });

  it('reads the optional settings, the initial password and a CA file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ad-settings-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), 'PEM');
      const read = readAdSettings(
        connection({
          bindDn: 'svc-prov@example.test',
          initialPasswordEnv: 'AD_INITIAL',
          onDelete: 'disable',
          attributes: ['givenName', 'sn', 'employeeNumber'],
          timeoutMs: 3000,
          pageSize: 200,
          tls: { rejectUnauthorized: false, caFileEnv: 'AD_CA' },
        }),
        { ...env, AD_INITIAL: 'Init1al!Pass', AD_CA: join(dir, 'ca.pem') },
      );
      expect(read).toMatchObject({
        bindDn: 'svc-prov@example.test',
        initialPassword: 'Init1al!Pass',
        onDelete: 'disable',
        attributes: ['givenName', 'sn', 'employeeNumber'],
        timeoutMs: 3000,
        pageSize: 200,
        tls: { rejectUnauthorized: false, ca: 'PEM' },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown settings, naming the setting and the known ones', () => {
    expect(problems({ userDn: 'x' })).toMatch(
      /settings\.userDn is not a setting of the ad connector \(known: url, bindDn/,
    );
    expect(problems({ tls: { verify: true } })).toMatch(/settings\.tls\.verify is not a setting/);
  });

  it('requires ldaps, DNs, a DNS domain as upnSuffix, and lists every problem at once', () => {
    const message = problems({
      url: 'ldap://dc1:389',
      usersDn: 'People',
      groupsDn: 42,
      upnSuffix: '@example',
    });
    expect(message).toMatch(/^ad connection 'corp_ad' is misconfigured: /);
    expect(message).toMatch(/settings\.url must be an ldaps:\/\/host/);
    expect(message).toMatch(/settings\.usersDn must be a DN/);
    expect(message).toMatch(/settings\.groupsDn must be a DN/);
    expect(message).toMatch(/settings\.upnSuffix must be a DNS domain/);
    expect(problems({ bindDn: 'svc' })).toMatch(/settings\.bindDn must be a DN .* or a user principal name/);
  });

  it('accepts DNs with escaped commas', () => {
    const usersDn = 'OU=Sales\\, EMEA,DC=example,DC=test';
    expect(readAdSettings(connection({ usersDn }), env).usersDn).toBe(usersDn);
  });

  it('checks onDelete, the numbers, tls and attributes', () => {
    expect(problems({ onDelete: 'archive' })).toMatch(/settings\.onDelete must be delete or disable/);
    expect(problems({ timeoutMs: 0, pageSize: 1.5 })).toMatch(
      /settings\.timeoutMs must be a whole number.*settings\.pageSize must be a whole number/,
    );
    expect(problems({ tls: { rejectUnauthorized: 'no' } })).toMatch(
      /rejectUnauthorized must be true or false/,
    );
    expect(problems({ tls: 'insecure' })).toMatch(/settings\.tls must be an object/);
    expect(problems({ attributes: ['givenName', 'bad name'] })).toMatch(
      /settings\.attributes must be a list of LDAP/,
    );
    expect(problems({ attributes: ['givenName', 'userAccountControl', 'password'] })).toMatch(
      /must not name attributes the connector manages itself: userAccountControl, password/,
    );
  });

  it('names the environment variables that are missing, never a value', () => {
    const message = problems({ initialPasswordEnv: 'AD_INITIAL', tls: { caFileEnv: 'AD_CA' } }, {});
    expect(message).toMatch(/environment variable AD_BIND_PASSWORD \(settings\.bindPasswordEnv\) is not set/);
    expect(message).toMatch(/environment variable AD_INITIAL \(settings\.initialPasswordEnv\) is not set/);
    expect(message).toMatch(/environment variable AD_CA \(settings\.tls\.caFileEnv\) is not set/);
    expect(problems({}, { AD_BIND_PASSWORD: '' })).toMatch(/AD_BIND_PASSWORD/);
    expect(problems({ tls: { caFileEnv: 'AD_CA' } }, { ...env, AD_CA: '/nonexistent/ca.pem' })).toMatch(
      /settings\.tls\.caFileEnv: cannot read the CA file named by AD_CA: .*\/nonexistent\/ca\.pem/,
    );
    expect(problems({ url: 'nope' })).not.toContain('bind-S3cret!');
  });
});
