import { PermanentConnectorError, TransientConnectorError } from '../errors';
import { toAdConnectorError } from './ad-errors';
import {
  childDn,
  encodeUnicodePwd,
  escapeDnValue,
  firstRdn,
  ldapValues,
  normalizeDn,
  parentDn,
} from './ad-values';

describe('encodeUnicodePwd', () => {
  it('quotes the password and encodes it as UTF-16LE', () => {
    expect(encodeUnicodePwd('Ab1!')).toEqual(
      Buffer.from([0x22, 0, 0x41, 0, 0x62, 0, 0x31, 0, 0x21, 0, 0x22, 0]),
    );
  });

  it('keeps characters outside ASCII (two bytes each, surrogate pairs for the rest)', () => {
    const encoded = encodeUnicodePwd('Pä€😀');
    expect(encoded.toString('utf16le')).toBe('"Pä€😀"');
    expect(encoded.subarray(4, 6)).toEqual(Buffer.from([0xe4, 0x00])); // ä
    expect(encoded.length).toBe(2 * (2 + 3 + 2)); // quotes, three BMP characters, one surrogate pair
  });

  it('does not escape a quote inside the password: AD takes the outer quotes only', () => {
    expect(encodeUnicodePwd('a"b').toString('utf16le')).toBe('"a"b"');
  });
});

describe('DN values', () => {
  it('escapes the RFC 4514 special characters', () => {
    expect(escapeDnValue('Smith, John')).toBe('Smith\\, John');
    expect(escapeDnValue('a+b"c\\d<e>f;g=h')).toBe('a\\+b\\"c\\\\d\\<e\\>f\\;g\\=h');
    expect(escapeDnValue('#1 ')).toBe('\\#1\\ ');
    expect(escapeDnValue(' lead')).toBe('\\ lead');
    expect(escapeDnValue('tab\there')).toBe('tab\\09here');
    expect(escapeDnValue('jdoe')).toBe('jdoe');
  });

  it('builds child DNs and reads the first RDN back', () => {
    const dn = childDn('CN', 'Smith, John', 'OU=Sales\\, EMEA,DC=example,DC=test');
    expect(dn).toBe('CN=Smith\\, John,OU=Sales\\, EMEA,DC=example,DC=test');
    expect(firstRdn(dn)).toEqual({ type: 'CN', value: 'Smith, John' });
    expect(firstRdn('OU=M\\C3\\BCnchen,DC=x')).toEqual({ type: 'OU', value: 'München' });
    expect(parentDn(dn)).toBe('OU=Sales\\, EMEA,DC=example,DC=test');
    expect(parentDn('DC=test')).toBe('');
  });

  it('compares DNs case-insensitively and without spaces after commas', () => {
    expect(normalizeDn('CN=A, OU=B,DC=x')).toBe(normalizeDn('cn=a,ou=b,dc=X'));
  });
});

describe('ldapValues', () => {
  it('writes text, numbers and booleans as text; empty means no value', () => {
    expect(ldapValues('x')).toEqual(['x']);
    expect(ldapValues(7)).toEqual(['7']);
    expect(ldapValues(true)).toEqual(['true']);
    expect(ldapValues(null)).toEqual([]);
    expect(ldapValues('')).toEqual([]);
    expect(ldapValues(undefined)).toEqual([]);
  });
});

describe('toAdConnectorError', () => {
  const scrub = (m: string) => m.split('S3cret!').join('***');

  it("keeps the directory's message and result code; policy refusals are permanent", () => {
    const refused = Object.assign(
      new Error(
        '0000052D: Constraint violation - check_password_restrictions: the password is too short. Code: 0x13',
      ),
      { code: 19 },
    );
    const error = toAdConnectorError(refused, scrub);
    expect(error).toBeInstanceOf(PermanentConnectorError);
    expect(error.code).toBe('19');
    expect(error.message).toMatch(/the password is too short/);
  });

  it('treats busy, unavailable, timeouts and dropped connections as transient', () => {
    for (const failure of [
      Object.assign(new Error('busy'), { code: 51 }),
      Object.assign(new Error('unavailable'), { code: 52 }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.9:636'), { code: 'ECONNREFUSED' }),
      new Error('SearchRequest: Operation timed out'),
      new Error('Connection closed before message response was received. Message type: ModifyRequest (0x66)'),
    ]) {
      expect(toAdConnectorError(failure, scrub)).toBeInstanceOf(TransientConnectorError);
    }
  });

  it('treats bad credentials, missing rights and untrusted certificates as permanent, secrets scrubbed', () => {
    const credentials = Object.assign(new Error('80090308: LdapErr: data 52e (S3cret!) Code: 0x31'), {
      code: 49,
    });
    expect(toAdConnectorError(credentials, scrub).message).toBe(
      '80090308: LdapErr: data 52e (***) Code: 0x31',
    );
    expect(toAdConnectorError(Object.assign(new Error('no rights'), { code: 50 }), scrub)).toBeInstanceOf(
      PermanentConnectorError,
    );
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(toAdConnectorError(tls, scrub)).toBeInstanceOf(PermanentConnectorError);
  });
});
