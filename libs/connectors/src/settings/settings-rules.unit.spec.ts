import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoleModelConnection } from '@prov/role-model';
import { isDn, tls } from './settings-rules';
import { connectorSettings } from './settings-schema';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const readTls = connectorSettings('dir', { tls: tls() }, (read) => read.tls);

function connection(settings: Record<string, unknown>): RoleModelConnection {
  return { id: 'd', name: 'D', connector: 'ldap', fulfillment: 'automatic', settings };
}

function problemsOf(settings: Record<string, unknown>, env: Record<string, string>): string {
  try {
    readTls(connection(settings), env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the settings to be refused');
}

describe('settings rules', () => {
  it('hold LDAP and AD DNs to one rule: type=value pairs, escaped commas and spaces allowed', () => {
    for (const dn of [
      'ou=people,dc=example,dc=com',
      'OU=People, DC=example, DC=com',
      'CN=Martin\\, Alice,OU=Users,DC=corp',
    ])
      expect(isDn(dn)).toBe(true);
    for (const dn of ['', 'admin', 'ou=people,', '=x,dc=example', 'ou=people,,dc=x', 42])
      expect(isDn(dn)).toBe(false);
  });

  it('read the TLS block: verification on by default, the CA as PEM text or from a file', () => {
    expect(readTls(connection({}), {})).toEqual({ rejectUnauthorized: true });
    expect(readTls(connection({ tls: { caFileEnv: 'CA' } }), { CA: PEM })).toEqual({
      rejectUnauthorized: true,
      ca: PEM,
    });
    const dir = mkdtempSync(join(tmpdir(), 'settings-rules-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), PEM);
      expect(
        readTls(connection({ tls: { rejectUnauthorized: false, caFileEnv: 'CA' } }), {
          CA: join(dir, 'ca.pem'),
        }),
      ).toEqual({ rejectUnauthorized: false, ca: PEM });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('name the TLS setting, the variable and the file that is wrong', () => {
    expect(problemsOf({ tls: { caFileEnv: 'CA' } }, {})).toContain(
      'environment variable CA (settings.tls.caFileEnv) is not set or empty',
    );
    expect(problemsOf({ tls: { caFileEnv: 'CA' } }, { CA: '/nonexistent/ca.pem' })).toMatch(
      /settings\.tls\.caFileEnv: cannot read the CA file named by CA: .*\/nonexistent\/ca\.pem/,
    );
    expect(problemsOf({ tls: { caFileEnv: 7, verify: true } }, {})).toBe(
      "dir connection 'd' is misconfigured: settings.tls.verify is not a setting of tls (known: rejectUnauthorized, caFileEnv); " +
        'settings.tls.caFileEnv must be the name of an environment variable',
    );
  });
});
