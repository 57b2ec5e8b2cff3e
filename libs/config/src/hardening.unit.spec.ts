import { ConfigurationError } from './environment';
import { readHardeningSettings } from './hardening';
import { redactCredentials, redactValue } from './redaction';

describe('hardening settings', () => {
  it('has defaults for one machine', () => {
    const settings = readHardeningSettings({});
    expect(settings).toMatchObject({
      httpBodyLimitBytes: 102_400,
      maxJsonDepth: 32,
      apiDocsPublic: false,
      databaseStatementTimeoutMs: 30_000,
      edgeRoundIntervalMs: 80,
    });
    expect(readHardeningSettings({ EDGE_ROUND_INTERVAL_MS: '0' }).edgeRoundIntervalMs).toBe(0);
  });

  it('names every bad variable and its rule', () => {
    let problems: string[] = [];
    try {
      readHardeningSettings({
        HTTP_BODY_LIMIT_BYTES: 'lots',
        RATE_LIMIT_WRITES: '0',
        API_DOCS_PUBLIC: 'yes',
        EDGE_ROUND_INTERVAL_MS: '2000',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      problems = (error as ConfigurationError).problems;
    }
    expect(problems).toEqual([
      'HTTP_BODY_LIMIT_BYTES must be an integer from 1024 to 10485760 (bytes)',
      'RATE_LIMIT_WRITES must be an integer from 1 to 10000000 (requests per window)',
      "API_DOCS_PUBLIC must be 'true' or 'false'",
      'EDGE_ROUND_INTERVAL_MS must be an integer from 0 to 1000 (milliseconds)',
    ]);
  });
});

describe('credentials in URLs', () => {
  it.each([
    [
      'connect to nats://prov:s3cret@127.0.0.1:4222 failed',
      'connect to nats://prov:***@127.0.0.1:4222 failed',
    ],
    ['postgres://u:pw@db:5432/x', 'postgres://u:***@db:5432/x'],
    ['ldap://cn=admin,dc=example:hunter2@ldap.local', 'ldap://cn=admin,dc=example:***@ldap.local'],
    ['nats://tok3n@host:4222', 'nats://***@host:4222'],
    ['postgres://postgres@127.0.0.1/provisioning', 'postgres://postgres@127.0.0.1/provisioning'],
    ['https://example.org/a@b', 'https://example.org/a@b'],
  ])('%s', (input, output) => expect(redactCredentials(input)).toBe(output));

  it('redacts inside objects and errors, and survives cycles', () => {
    const cyclic: Record<string, unknown> = { url: 'postgres://a:b@h/d' };
    cyclic.self = cyclic;
    const error = new Error('no route to ldaps://x:y@dc');
    expect(redactValue({ nested: [cyclic], error })).toEqual({
      nested: [{ url: 'postgres://a:***@h/d', self: '[…]' }],
      error: expect.objectContaining({ message: 'no route to ldaps://x:***@dc' }),
    });
  });
});
