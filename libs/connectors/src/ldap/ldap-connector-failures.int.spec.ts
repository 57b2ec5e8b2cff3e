import { freePort } from '@prov/testing';
import { Client } from 'ldapts';
import { PermanentConnectorError, TransientConnectorError } from '../errors';
import { PASSWORD_ENV, order, person, useTestDirectory } from './ldap-test-directory';

// How the LDAP connector fails (with the directory's own words, sorted transient or permanent),
// how it reads past the server's size limit, and how it connects over ldaps://.

const dir = useTestDirectory();
let connector: ReturnType<typeof dir.connector>;
beforeAll(() => {
  connector = dir.connector();
});

describe('LdapConnector failures', () => {
  it('test() binds and reads the containers', async () => {
    await expect(connector.test()).resolves.toEqual({
      ok: true,
      message: `bound as ${dir.slapd.serviceDn} to ${dir.slapd.url}; ${dir.slapd.peopleDn} and ${dir.slapd.groupsDn} are readable`,
    });
  });

  it('test() reports wrong credentials without the password; apply fails permanently', async () => {
    const wrong = dir.connector({}, { [PASSWORD_ENV]: 'Wr0ng-Password-123' });
    const result = await wrong.test();
    expect(result.ok).toBe(false);
    expect(result.message).toBe(
      `bind as ${dir.slapd.serviceDn} to ${dir.slapd.url}: invalidCredentials (LDAP result 49)`,
    );
    expect(result.message).not.toContain('Wr0ng-Password-123');
    await expect(wrong.apply(order('Added', 'x', 'readers'))).rejects.toThrow(PermanentConnectorError);
  });

  it('test() reports a missing container', async () => {
    const result = await dir.connector({ groupsDn: `ou=missing,${dir.slapd.baseDn}` }).test();
    expect(result).toEqual({
      ok: false,
      message: `bound as ${dir.slapd.serviceDn}, but ou=missing,${dir.slapd.baseDn} does not exist`,
    });
  });

  it('fails transiently when nothing listens on the port', async () => {
    const down = dir.connector({ url: `ldap://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    const error = await down.apply(order('Added', 'x', 'readers')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientConnectorError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((await down.test()).ok).toBe(false);
  });

  it.each([
    [
      'a value violating the syntax',
      { mail: 'zoë@example.test' },
      /^add uid=bad,.*: mail: value #0 invalid per syntax \(invalidAttributeSyntax, LDAP result 21\)$/,
    ],
    [
      'an attribute the object classes do not allow',
      { uidNumber: 1000 },
      /attribute 'uidNumber' not allowed \(objectClassViolation, LDAP result 65\)/,
    ],
    [
      'an undefined attribute type',
      { favouriteColour: 'blue' },
      /favouriteColour: attribute type undefined \(undefinedAttributeType, LDAP result 17\)/,
    ],
  ])('rejects %s permanently with the server message', async (_, attributes, message) => {
    const error = await connector
      .apply(order('Added', 'bad', undefined, attributes))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentConnectorError);
    expect((error as Error).message).toMatch(message);
    expect(await dir.entry(dir.userDn('bad'))).toBeUndefined();
  });

  it('rejects an order it cannot express in LDAP before writing anything', async () => {
    await expect(connector.apply(order('Added', 'obj', undefined, { cn: { nested: true } }))).rejects.toThrow(
      /order o-\d+ cannot be applied by connection 'corp_ldap': attribute cn must be a text/,
    );
  });

  it('fails permanently when the bind account may not write', async () => {
    await dir.admin.add(`cn=reader,${dir.slapd.baseDn}`, {
      objectClass: ['organizationalRole', 'simpleSecurityObject'],
      cn: 'reader',
      userPassword: 'Reader-Pw-1',
    });
    const reader = dir.connector(
      { bindDn: `cn=reader,${dir.slapd.baseDn}` },
      { [PASSWORD_ENV]: 'Reader-Pw-1' },
    );
    await expect(reader.apply(order('Added', 'nope', undefined, person('nope', 'No Pe')))).rejects.toThrow(
      /^add uid=nope,ou=people,.*: no write access to parent \(insufficientAccessRights, LDAP result 50\)$/,
    );
  });
});

describe('LdapConnector paging and TLS', () => {
  it('reads more entries than the server returns per search, page by page', async () => {
    const bulkDn = `ou=bulk,${dir.slapd.baseDn}`;
    await dir.admin.add(bulkDn, { objectClass: 'organizationalUnit', ou: 'bulk' });
    const keys = Array.from({ length: 1200 }, (_, i) => `bulk${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(
        keys.slice(i, i + 100).map((key) =>
          dir.admin.add(`uid=${key},${bulkDn}`, {
            objectClass: 'inetOrgPerson',
            uid: key,
            cn: key,
            sn: key,
          }),
        ),
      );
    }
    const bulk = dir.connector({ accountsDn: bulkDn, pageSize: 500 });
    const synchronized = await bulk.readAll();
    expect(synchronized.accounts.map((a) => a.accountKey)).toEqual(keys);
    // Without paging, the service account's size limit (500) stops the same search.
    const plain = new Client({ url: dir.slapd.url });
    await plain.bind(dir.slapd.serviceDn, dir.slapd.servicePassword);
    await expect(
      plain.search(bulkDn, { scope: 'one', filter: '(objectClass=inetOrgPerson)' }),
    ).rejects.toMatchObject({ code: 4 }); // sizeLimitExceeded
    await plain.unbind();
    // An account without the paged-search allowance gets the server's limit, with what to change.
    await dir.admin.add(`cn=limited,${dir.slapd.baseDn}`, {
      objectClass: ['organizationalRole', 'simpleSecurityObject'],
      cn: 'limited',
      userPassword: 'Limited-Pw-1',
    });
    const limited = dir.connector(
      { accountsDn: bulkDn, bindDn: `cn=limited,${dir.slapd.baseDn}` },
      { [PASSWORD_ENV]: 'Limited-Pw-1' },
    );
    await expect(limited.readAll()).rejects.toThrow(
      /sizeLimitExceeded \(LDAP result 4\).*size\.prtotal=unlimited/,
    );
  });

  it('connects over ldaps:// trusting the given CA, and refuses an untrusted certificate permanently', async () => {
    const ldaps = { url: dir.slapd.ldapsUrl };
    const trusted = dir.connector(
      { ...ldaps, tls: { caFileEnv: 'CORP_LDAP_CA' } },
      { CORP_LDAP_CA: dir.slapd.caCertFile! },
    );
    expect(await trusted.test()).toMatchObject({ ok: true });
    await trusted.apply(order('Added', 'tls-user', 'readers', person('tls-user', 'Tee Ls')));
    expect((await trusted.readAll()).memberships).toContainEqual({
      accountKey: 'tls-user',
      group: 'readers',
    });

    const untrusted = dir.connector(ldaps);
    expect(await untrusted.test()).toEqual({
      ok: false,
      message: expect.stringMatching(/self-signed certificate/),
    });
    await expect(untrusted.apply(order('Added', 'tls-user', 'readers'))).rejects.toThrow(
      PermanentConnectorError,
    );
    const unchecked = dir.connector({ ...ldaps, tls: { rejectUnauthorized: false } });
    expect(await unchecked.test()).toMatchObject({ ok: true });
  });
});
