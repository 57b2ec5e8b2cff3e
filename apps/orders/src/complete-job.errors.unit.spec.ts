import { ERRORS_NAMED_PER_TASK, withErrorsNamed } from './complete-job.service';

describe("a complete job task's errors", () => {
  it('are named up to the limit, the rest counted, so a task failing everywhere does not write a million into its event', () => {
    const errors = Array.from({ length: 250_000 }, (_, i) => `assignment-${i}: rule failed`);
    const result = withErrorsNamed({ counts: { failing: errors.length }, errors });
    expect(result.errors).toHaveLength(ERRORS_NAMED_PER_TASK + 1);
    expect(result.errors.slice(0, 2)).toEqual(['assignment-0: rule failed', 'assignment-1: rule failed']);
    expect(result.errors.at(-1)).toBe(`… and ${250_000 - ERRORS_NAMED_PER_TASK} more`);
    expect(result.counts).toEqual({ failing: 250_000 });
  });

  it('are kept as they are when there are few', () => {
    const result = { counts: {}, errors: ['conn_1: timed out'] };
    expect(withErrorsNamed(result)).toBe(result);
  });
});
