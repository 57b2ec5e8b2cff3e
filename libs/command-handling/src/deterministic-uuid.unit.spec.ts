import { deterministicUuid } from './deterministic-uuid';

describe('deterministicUuid', () => {
  it('gives the ids it always gave: ids derived before an upgrade are derived again after it', () => {
    expect(deterministicUuid('order', 'a-1', 'initial')).toBe('53fa2052-618a-52f7-ba31-faba67d7ad8f');
    expect(deterministicUuid('account-key', 'corp_ldap', 'jdoe')).toBe(
      '828ec0dc-33cb-5b60-b0c0-b64791d1ffe6',
    );
    expect(deterministicUuid('é', 'ü')).toBe('83230811-82d6-5bb4-8cea-402679a16cd9');
  });

  it('is a version 5, RFC 4122 variant UUID', () => {
    expect(deterministicUuid('x')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
