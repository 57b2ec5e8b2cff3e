import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoleModelConnection } from '@prov/role-model';
import { ConnectorConfigurationError } from '../errors';
import { readLdapSettings } from './ldap-settings';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function connection(settings: Record<string, unknown>): RoleModelConnection {
  return {
    id: 'corp_ldap',
    name: 'Corporate directory',
    connector: 'ldap',
    fulfillment: 'automatic',
    settings,
  };
}

const minimal = {
  url: 'ldap://ldap.example.test:389',
  allowInsecure: true,
  bindDn: 'cn=provisioning,ou=services,dc=example,dc=test',
  bindPasswordEnv: 'CORP_LDAP_PASSWORD',
  accountsDn: 'ou=people,dc=example,dc=test',
  groupsDn: 'ou=groups,dc=example,dc=test',
};
const env = { CORP_LDAP_PASSWORD: 's3cret-Pa55' };

function problemsOf(settings: Record<string, unknown>, environment: Record<string, string> = env): string {
  try {
    readLdapSettings(connection(settings), environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected the settings to be rejected');
}

describe('readLdapSettings', () => {
  it('applies the defaults and reads the password from the environment', () => {
    expect(readLdapSettings(connection(minimal), env)).toEqual({
      ...minimal,
      allowInsecure: undefined,
      bindPasswordEnv: undefined,
      bindPassword: 's3cret-Pa55',
      rdnAttribute: 'uid',
      objectClasses: ['inetOrgPerson'],
      onDelete: 'delete',
      disabledAttribute: 'description',
      disabledValue: 'disabled',
      timeoutMs: 10_000,
      pageSize: 500,
      connections: 4,
      tls: { rejectUnauthorized: true },
    });
  });

  it('takes every optional setting', () => {
    const settings = readLdapSettings(
      connection({
        ...minimal,
        url: 'ldaps://ldap.example.test:636/',
        rdnAttribute: 'cn',
        objectClasses: ['inetOrgPerson', 'posixAccount'],
        onDelete: 'disable',
        disabledAttribute: 'pwdAccountLockedTime',
        disabledValue: '000001010000Z',
        timeoutMs: 2500,
        pageSize: 200,
        connections: 2,
        tls: { rejectUnauthorized: false, caFileEnv: 'CORP_LDAP_CA' },
      }),
      { ...env, CORP_LDAP_CA: PEM },
    );
    expect(settings).toMatchObject({
      url: 'ldaps://ldap.example.test:636',
      rdnAttribute: 'cn',
      objectClasses: ['inetOrgPerson', 'posixAccount'],
      onDelete: 'disable',
      disabledAttribute: 'pwdAccountLockedTime',
      timeoutMs: 2500,
      pageSize: 200,
      connections: 2,
      tls: { rejectUnauthorized: false, ca: PEM },
    });
  });

  it('reads the CA from a file when the variable holds a path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ldap-ca-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), PEM);
      const settings = readLdapSettings(
        connection({ ...minimal, url: 'ldaps://ldap.example.test', tls: { caFileEnv: 'CA' } }),
        { ...env, CA: join(dir, 'ca.pem') },
      );
      expect(settings.tls).toEqual({ rejectUnauthorized: true, ca: PEM });
      expect(
        problemsOf(
          { ...minimal, url: 'ldaps://x', tls: { caFileEnv: 'CA' } },
          { ...env, CA: join(dir, 'none.pem') },
        ),
      ).toMatch(/settings\.tls\.caFileEnv: cannot read the CA file named by CA: .*no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown settings, naming them and the known ones', () => {
    expect(problemsOf({ ...minimal, bindPassword: 'inline', tls: { verify: true } })).toMatch(
      /settings\.bindPassword is not a setting of the ldap connector \(known: url, bindDn, bindPasswordEnv,.*\).*settings\.tls\.verify is not a TLS setting/,
    );
  });

  it('lists every problem at once, each with its setting and rule', () => {
    const message = problemsOf({
      url: 'http://ldap.example.test',
      bindDn: 'admin',
      accountsDn: '',
      groupsDn: 42,
      rdnAttribute: 'u id',
      objectClasses: [],
      onDelete: 'archive',
      timeoutMs: 0,
      pageSize: 1.5,
      connections: 17,
    });
    expect(message).toMatch(/^ldap connection 'corp_ldap' is misconfigured: /);
    for (const expected of [
      'settings.url must be an LDAP URL: ldap://host[:port] or ldaps://host[:port]',
      'settings.bindDn must be a distinguished name',
      'settings.accountsDn must be a distinguished name',
      'settings.groupsDn must be a distinguished name',
      'settings.rdnAttribute must be an LDAP attribute name',
      'settings.objectClasses must be a non-empty list of object class names',
      "settings.onDelete must be 'delete' or 'disable'",
      'settings.timeoutMs must be a whole number from 1 to 600000',
      'settings.pageSize must be a whole number from 1 to 10000',
      'settings.connections must be a whole number from 1 to 16',
      "connection 'corp_ldap' has no setting 'bindPasswordEnv'",
    ]) {
      expect(message).toContain(expected);
    }
  });

  it('names the unset environment variable, never a value', () => {
    const message = problemsOf(minimal, {});
    expect(message).toContain(
      'environment variable CORP_LDAP_PASSWORD (settings.bindPasswordEnv) is not set or empty',
    );
    expect(problemsOf({ ...minimal, url: 'ldaps://x', tls: { caFileEnv: 'NOPE' } })).toContain(
      'environment variable NOPE (settings.tls.caFileEnv) is not set or empty',
    );
  });

  it('reads the URL from the variable urlEnv names, instead of url', () => {
    const { url: _url, ...withoutUrl } = minimal;
    const settings = { ...withoutUrl, urlEnv: 'CORP_LDAP_URL' };
    expect(
      readLdapSettings(connection(settings), { ...env, CORP_LDAP_URL: 'ldap://127.0.0.1:3890/' }).url,
    ).toBe('ldap://127.0.0.1:3890');
    expect(problemsOf(settings)).toContain(
      'environment variable CORP_LDAP_URL (settings.urlEnv) is not set or empty',
    );
    expect(problemsOf(settings, { ...env, CORP_LDAP_URL: 'http://nope' })).toContain(
      'the environment variable CORP_LDAP_URL (settings.urlEnv) must be an LDAP URL',
    );
    expect(
      problemsOf({ ...minimal, urlEnv: 'CORP_LDAP_URL' }, { ...env, CORP_LDAP_URL: 'ldap://x' }),
    ).toContain('settings.url and settings.urlEnv exclude each other: give one');
  });

  it('refuses a plain ldap:// URL unless the connection says allowInsecure: true', () => {
    const { allowInsecure: _allowed, ...plain } = minimal;
    expect(problemsOf(plain)).toMatch(
      /settings\.url is a plain ldap:\/\/ URL.*use ldaps:\/\/, or set allowInsecure: true/,
    );
    expect(problemsOf({ ...plain, allowInsecure: 'yes' })).toMatch(
      /settings\.allowInsecure must be true or false/,
    );
    expect(readLdapSettings(connection({ ...plain, url: 'ldaps://ldap.example.test' }), env).url).toBe(
      'ldaps://ldap.example.test',
    );
  });

  it('refuses TLS options on a plain ldap:// URL, where they would silently switch to TLS', () => {
    expect(problemsOf({ ...minimal, tls: { rejectUnauthorized: false } })).toContain(
      'settings.tls applies to ldaps:// URLs only',
    );
  });

  it('checks the types inside tls', () => {
    expect(problemsOf({ ...minimal, url: 'ldaps://x', tls: { rejectUnauthorized: 'no' } })).toContain(
      'settings.tls.rejectUnauthorized must be true or false',
    );
    expect(problemsOf({ ...minimal, url: 'ldaps://x', tls: 'strict' })).toContain(
      'settings.tls must be an object',
    );
  });
});
