import { ConfigurationError } from './environment';
import { completeJobScheduleFrom, nextCompleteJobRun, readTimerSettings } from './timers';

describe('timer settings', () => {
  it('has defaults', () => {
    expect(readTimerSettings({})).toEqual({
      intervalMs: 5_000,
      dispatchTimeoutMs: 300_000,
      fulfilTimeoutMs: 120_000,
      completeJobSchedule: undefined,
      chainCheckEveryMs: 20 * 3_600_000,
    });
    expect(readTimerSettings({ COMPLETE_JOB_CHAIN_CHECK_EVERY: 'PT1S' }).chainCheckEveryMs).toBe(1_000);
  });

  it('names every bad variable and its rule', () => {
    try {
      readTimerSettings({
        TIMER_INTERVAL_MS: 'often',
        DISPATCH_TIMEOUT_MS: '60000',
        COMPLETE_JOB_SCHEDULE: 'nightly',
        COMPLETE_JOB_CHAIN_CHECK_EVERY: 'daily',
      });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      const problems = (error as ConfigurationError).problems;
      expect(problems).toHaveLength(4);
      expect(problems[0]).toMatch(/^TIMER_INTERVAL_MS must be an integer/);
      // A repeat within JetStream's 2-minute duplicate window would be dropped.
      expect(problems[1]).toMatch(/^DISPATCH_TIMEOUT_MS must be an integer of at least 120001/);
      expect(problems[2]).toMatch(/^COMPLETE_JOB_SCHEDULE must be a cron expression/);
      expect(problems[3]).toMatch(/^COMPLETE_JOB_CHAIN_CHECK_EVERY must be an ISO-8601 duration/);
    }
  });
});

describe('COMPLETE_JOB_SCHEDULE', () => {
  it('is optional', () => {
    expect(completeJobScheduleFrom(undefined)).toBeUndefined();
    expect(completeJobScheduleFrom('  ')).toBeUndefined();
  });

  it('accepts cron expressions, monthly ones included', () => {
    for (const expression of ['0 2 * * *', '*/15 * * * *', '0 2 1 * *', '0 0 1 1 *']) {
      expect(completeJobScheduleFrom(` ${expression} `)).toBe(expression);
    }
  });

  it('refuses a malformed one, naming the variable and the expected form', () => {
    for (const bad of ['every night', '61 * * * *', '0 2 32 * *']) {
      expect(() => completeJobScheduleFrom(bad)).toThrow(ConfigurationError);
      expect(() => completeJobScheduleFrom(bad)).toThrow(/COMPLETE_JOB_SCHEDULE must be a cron expression/);
    }
  });

  it('computes the next run of a monthly schedule weeks ahead (beyond what one setTimeout can wait)', () => {
    const after = new Date('2026-12-02T07:55:00Z');
    const next = nextCompleteJobRun('0 2 1 * *', after)!;
    expect(next.toISOString()).toBe('2027-01-01T02:00:00.000Z');
    expect(next.getTime() - after.getTime()).toBeGreaterThan(2 ** 31 - 1);
    // And once per due time: the run after that one is a month later, not the same instant again.
    expect(nextCompleteJobRun('0 2 1 * *', next)!.toISOString()).toBe('2027-02-01T02:00:00.000Z');
  });

  it('runs on UTC whatever the machine’s zone', () => {
    expect(nextCompleteJobRun('30 23 * * *', new Date('2026-06-01T12:00:00Z'))!.toISOString()).toBe(
      '2026-06-01T23:30:00.000Z',
    );
  });
});
