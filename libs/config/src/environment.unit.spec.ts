import { ConfigurationError, readEnvironment, redactUrl } from './environment';

describe('service environment', () => {
  it('uses the local defaults when nothing is set', () => {
    const env = readEnvironment({});
    expect(env.natsUrl).toBe('nats://127.0.0.1:4222');
    expect(env.port).toBe(8080);
    expect(env.eventStore).toBe('postgres');
  });

  it('names every bad variable and its rule at once', () => {
    expect(() => readEnvironment({ NATS_URL: 'http://x', PORT: 'eighty', EVENT_STORE: 'mongo' })).toThrow(
      ConfigurationError,
    );
    try {
      readEnvironment({ NATS_URL: 'http://x', PORT: 'eighty', EVENT_STORE: 'mongo' });
    } catch (error) {
      const problems = (error as ConfigurationError).problems;
      expect(problems).toEqual(
        expect.arrayContaining([
          'NATS_URL must be a nats:// URL',
          'PORT must be an integer from 0 to 65535',
          "EVENT_STORE must be 'postgres' or 'eventstoredb'",
        ]),
      );
    }
  });

  it('hides the password of a database URL', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/x')).toBe('postgres://app:***@db:5432/x');
  });
});
