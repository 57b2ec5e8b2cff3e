import { ConfigurationError } from '@prov/config';
import { parseCompleteJobSchedule } from './complete-job.schedule';

describe('COMPLETE_JOB_SCHEDULE', () => {
  it('is optional', () => {
    expect(parseCompleteJobSchedule(undefined)).toBeUndefined();
    expect(parseCompleteJobSchedule('  ')).toBeUndefined();
  });

  it('accepts a cron expression', () => {
    expect(parseCompleteJobSchedule('0 2 * * *')).toBe('0 2 * * *');
    expect(parseCompleteJobSchedule('*/15 * * * *')).toBe('*/15 * * * *');
  });

  it('refuses a malformed one, naming the variable and the expected form', () => {
    expect(() => parseCompleteJobSchedule('every night')).toThrow(ConfigurationError);
    expect(() => parseCompleteJobSchedule('every night')).toThrow(
      /COMPLETE_JOB_SCHEDULE must be a cron expression/,
    );
  });
});
