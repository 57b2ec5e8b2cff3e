import { readBreakerConfiguration } from './breaker';

describe('agent circuit breaker configuration', () => {
  it('has defaults and refuses a value that is not a whole number, naming the variable', () => {
    expect(readBreakerConfiguration({})).toEqual({ failuresToOpen: 3, halfOpenAfterMs: 5000, drainPerSecond: 20, drainMs: 60_000 });
    expect(readBreakerConfiguration({ AGENT_BREAKER_FAILURES: '5' }).failuresToOpen).toBe(5);
    expect(() => readBreakerConfiguration({ AGENT_DRAIN_PER_SECOND: 'fast' })).toThrow(
      /AGENT_DRAIN_PER_SECOND must be a whole number of 1 or more, got 'fast'/,
    );
  });
});
