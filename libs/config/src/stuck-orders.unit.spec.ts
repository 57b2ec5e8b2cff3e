import { ConfigurationError } from './environment';
import { readStuckOrderSettings } from './stuck-orders';

describe('stuck-order service levels', () => {
  it('has documented defaults per state', () => {
    expect(readStuckOrderSettings({}).afterMs).toEqual({
      1: 3_600_000,
      2: 3 * 86_400_000,
      3: 4 * 3_600_000,
      5: 2 * 86_400_000,
      7: 4 * 3_600_000,
      8: 86_400_000,
    });
  });

  it('takes an ISO-8601 duration per state', () => {
    expect(readStuckOrderSettings({ STUCK_AFTER_TRANSMITTED: 'PT2S' }).afterMs[2]).toBe(2000);
  });

  it('refuses a bad value naming the variable and the rule', () => {
    expect(() => readStuckOrderSettings({ STUCK_AFTER_PENDING: '1 hour', STUCK_AFTER_ERROR: 'P1M' })).toThrow(
      ConfigurationError,
    );
    try {
      readStuckOrderSettings({ STUCK_AFTER_PENDING: '1 hour' });
    } catch (error) {
      expect((error as ConfigurationError).problems).toEqual([
        "STUCK_AFTER_PENDING must be an ISO-8601 duration such as PT30M, PT24H or P15D (got '1 hour')",
      ]);
    }
  });
});
