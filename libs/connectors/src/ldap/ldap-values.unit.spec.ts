import type { OrderToApply } from '../connector';
import { PermanentConnectorError, TransientConnectorError } from '../errors';
import { toLdapConnectorError } from './ldap-errors';
import {
  childRdnValue,
  escapeDnValue,
  generalizedTime,
  normalizeDn,
  orderAttributes,
  parseDn,
  reportedValue,
  toLdapValues,
} from './ldap-values';

describe('LDAP names and values', () => {
  it('escapes RDN values so that they survive a round trip through a DN', () => {
    for (const value of ['jdoe', 'Doe, Jane', ' lead+trail ', '#hash', 'a\\b', 'x=y;z<>"q"', 'Zoë 🙂']) {
      const dn = `uid=${escapeDnValue(value)},ou=people,dc=example,dc=test`;
      expect(childRdnValue(dn, 'uid', 'ou=people,dc=example,dc=test')).toBe(value);
    }
    expect(escapeDnValue('Doe, Jane')).toBe('Doe\\2c Jane');
  });

  it('reads DNs as the server writes them: backslash escapes, hex pairs, other spacing and case', () => {
    expect(parseDn('cn=Doe\\, Jane+mail=j@x,OU=People , dc=example')).toEqual([
      [
        { type: 'cn', value: 'Doe, Jane' },
        { type: 'mail', value: 'j@x' },
      ],
      [{ type: 'OU', value: 'People' }],
      [{ type: 'dc', value: 'example' }],
    ]);
    expect(
      childRdnValue('UID=Z\\C3\\ABlda,OU=People,DC=Example,DC=Test', 'uid', 'ou=people,dc=example,dc=test'),
    ).toBe('Zëlda');
    expect(normalizeDn('uid=A, ou=People')).toBe(normalizeDn('UID=a,ou=people'));
  });

  it('only takes accounts directly under the container and named by the RDN attribute', () => {
    const people = 'ou=people,dc=example,dc=test';
    expect(childRdnValue('cn=jdoe,ou=people,dc=example,dc=test', 'uid', people)).toBeUndefined();
    expect(childRdnValue('uid=jdoe,ou=staff,ou=people,dc=example,dc=test', 'uid', people)).toBeUndefined();
    expect(childRdnValue('', 'uid', people)).toBeUndefined();
  });

  it('converts role-model values to LDAP values and back to what synchronization reports', () => {
    expect(toLdapValues('x')).toEqual(['x']);
    expect(toLdapValues(42)).toEqual(['42']);
    expect(toLdapValues(true)).toEqual(['true']);
    expect(toLdapValues(null)).toEqual([]);
    expect(toLdapValues('')).toEqual([]);
    expect(toLdapValues(['a', 2, null])).toEqual(['a', '2']);
    expect(toLdapValues({ nested: 1 })).toBeUndefined();
    expect(toLdapValues([['a']])).toBeUndefined();
    expect(reportedValue([])).toBeUndefined();
    expect(reportedValue(['a'])).toBe('a');
    expect(reportedValue(['a', 'b'])).toEqual(['a', 'b']);
  });

  it('checks an order before anything is written, listing every problem', () => {
    const order = (changes: Record<string, unknown>, connectionId = 'corp_ldap') =>
      ({ orderId: 'o-1', changeType: 'Added', connectionId, changes }) as unknown as OrderToApply;
    expect(
      orderAttributes(order({ accountKey: 'jdoe', attributes: { cn: 'J', mail: null } }), 'corp_ldap'),
    ).toEqual(
      new Map([
        ['cn', ['J']],
        ['mail', []],
      ]),
    );
    expect(() =>
      orderAttributes(
        order({ accountKey: '', group: '', attributes: { 'display name': 'x', cn: { a: 1 } } }, 'other'),
        'corp_ldap',
      ),
    ).toThrow(
      "order o-1 cannot be applied by connection 'corp_ldap': it is for connection 'other'; " +
        'accountKey must be a non-empty text; group must be a non-empty text; ' +
        "attribute name 'display name' is not an LDAP attribute name; " +
        'attribute cn must be a text, a number, a boolean or a list of them',
    );
  });

  it('writes GeneralizedTime in UTC', () => {
    expect(generalizedTime(new Date('2024-01-31T23:59:58.765Z'))).toBe('20240131235958Z');
  });
});

describe('toLdapConnectorError', () => {
  const scrub = (m: string) => m.split('hunter2').join('***');
  const resultError = (code: number, message: string) => Object.assign(new Error(message), { code });

  it('keeps the directory diagnostic, names the result and drops the "Code: 0x.." suffix', () => {
    const error = toLdapConnectorError(
      resultError(21, 'mail: value #0 invalid per syntax Code: 0x15'),
      scrub,
      'add uid=jdoe',
    );
    expect(error).toBeInstanceOf(PermanentConnectorError);
    expect(error.message).toBe(
      'add uid=jdoe: mail: value #0 invalid per syntax (invalidAttributeSyntax, LDAP result 21)',
    );
    expect(error.code).toBe('21');
  });

  it('names the result when the server gave no diagnostic, and scrubs secrets', () => {
    const error = toLdapConnectorError(resultError(49, ' Code: 0x31'), scrub, 'bind with hunter2');
    expect(error.message).toBe('bind with ***: invalidCredentials (LDAP result 49)');
  });

  it('sorts busy, unavailable, time limits and network failures as transient', () => {
    for (const error of [
      resultError(51, 'busy'),
      resultError(52, 'unavailable'),
      resultError(3, 'time limit'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      new Error('Connection timeout'),
      new Error('SearchRequest: Operation timed out'),
      new Error('Connection closed before message response was received. Message type: AddRequest (0x68)'),
    ]) {
      expect(toLdapConnectorError(error, scrub)).toBeInstanceOf(TransientConnectorError);
    }
  });

  it('sorts request and configuration problems as permanent', () => {
    for (const code of [17, 19, 21, 32, 34, 49, 50, 53, 65, 68]) {
      expect(toLdapConnectorError(resultError(code, 'x'), scrub)).toBeInstanceOf(PermanentConnectorError);
    }
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(toLdapConnectorError(tls, scrub)).toBeInstanceOf(PermanentConnectorError);
  });
});
