import { createHash } from 'node:crypto';
import { hashApiToken } from '@prov/config';
import { bearerToken, tokenDigest } from './bearer-token';

jest.mock('@prov/config', () => {
  const actual = jest.requireActual('@prov/config');
  return { ...actual, hashApiToken: jest.fn(actual.hashApiToken) };
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the bearer token of a request', () => {
  it('reads Authorization: Bearer, in any case, and nothing else', () => {
    expect(bearerToken({ headers: { authorization: 'Bearer abc' } })).toBe('abc');
    expect(bearerToken({ headers: { authorization: 'bearer  abc' } })).toBe('abc');
    expect(bearerToken({ headers: { authorization: 'Basic abc' } })).toBeUndefined();
    expect(bearerToken({ headers: {} })).toBeUndefined();
  });

  it('hashes the token once per request, for the write limit and the guard alike', () => {
    const hashed = jest.mocked(hashApiToken);
    hashed.mockClear();
    const request = { headers: { authorization: 'Bearer abc' } };
    expect(tokenDigest(request, 'abc')).toBe(sha256('abc'));
    expect(tokenDigest(request, 'abc')).toBe(sha256('abc'));
    expect(hashed).toHaveBeenCalledTimes(1);
    // Another token on the same request (the query's) is its own digest.
    expect(tokenDigest(request, 'other')).toBe(sha256('other'));
    expect(tokenDigest({ headers: {} }, 'abc')).toBe(sha256('abc'));
    expect(hashed).toHaveBeenCalledTimes(3);
  });
});
