import { formatApiTokenEntries, hashApiToken, parseApiTokens } from './api-tokens';
import { ConfigurationError } from './environment';

function problemsOf(value: string): string[] {
  try {
    parseApiTokens(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
  throw new Error('expected a ConfigurationError');
}

describe('API tokens in the configuration', () => {
  it('holds a name, a role and the SHA-256 of each token, never the token', () => {
    const value = formatApiTokenEntries([
      { name: 'ci-pipeline', role: 'operator', token: 'a-long-random-token-1' },
      { name: 'hr.feed', role: 'requester', token: 'a-long-random-token-2' },
    ]);
    expect(value).not.toContain('a-long-random-token');
    const tokens = parseApiTokens(value);
    expect(tokens.get(hashApiToken('a-long-random-token-1'))).toMatchObject({
      name: 'ci-pipeline',
      role: 'operator',
    });
    expect(tokens.get(hashApiToken('a-long-random-token-2'))).toMatchObject({
      name: 'hr.feed',
      role: 'requester',
    });
  });

  it('is the hash sha256sum prints', () => {
    // printf %s 'abc' | sha256sum
    expect(hashApiToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('refuses a token in clear, naming the entry and the rule without echoing it', () => {
    const problems = problemsOf('supersecret-token-value:admin');
    expect(problems).toEqual([expect.stringContaining("API_TOKENS entry 1 must be 'name:role:sha256'")]);
    expect(problems.join()).not.toContain('supersecret');
  });

  it('names every bad entry and its rule at once', () => {
    const hash = hashApiToken('x'.repeat(32));
    const problems = problemsOf(
      [
        `Bad Name:admin:${hash}`,
        `bot:root:${hash}`,
        'bot:admin:abc',
        `one:admin:${hash}`,
        `one:reviewer:${hashApiToken('y')}`,
        `two:admin:${hash}`,
      ].join(','),
    );
    expect(problems).toEqual([
      "API_TOKENS entry 1: the name must be 1 to 63 lowercase letters, digits, '.', '_' or '-'",
      "API_TOKENS entry 2 ('bot') has role 'root': must be one of requester, reviewer, operator, admin, hr-feed, auditor",
      "API_TOKENS entry 3 ('bot'): the hash must be 64 lowercase hex digits (SHA-256 of the token)",
      "API_TOKENS entry 5: the name 'one' is given twice; each token needs its own name",
      "API_TOKENS entry 6 ('two'): the same token is configured twice",
    ]);
  });

  it('is empty when API_TOKENS is not set', () => {
    expect(parseApiTokens(undefined).size).toBe(0);
  });
});
