import { durationMs, parseDuration } from './duration';
import { parseRoleModel } from './parse/parse-role-model';
import { DEFAULT_RETRY_POLICY, nextRetryDelayMs } from './retry';
import type { RetryPolicy } from './types';

describe('parseDuration (ISO-8601)', () => {
  it.each([
    ['PT24H', 86_400_000],
    ['PT30M', 1_800_000],
    ['PT1.5S', 1500],
    ['P15D', 15 * 86_400_000],
    ['P1W', 7 * 86_400_000],
    ['P1DT2H3M4S', 86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4000],
    ['PT0,5S', 500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
    expect(durationMs(text)).toBe(ms);
  });

  it.each(['24h', 'P', 'PT', 'P1H', 'T1H', '', 'PT-1H', 'P1DT'])('rejects %p', (text) => {
    expect(parseDuration(text)).toMatchObject({
      ok: false,
      rule: expect.stringContaining('ISO-8601 duration'),
    });
  });

  it('rejects years and months, whose length varies, with advice', () => {
    expect(parseDuration('P1M')).toMatchObject({
      ok: false,
      rule: expect.stringContaining('use days, e.g. P30D'),
    });
    expect(parseDuration('P1Y')).toMatchObject({ ok: false });
  });

  it('rejects zero', () => {
    expect(parseDuration('PT0S')).toMatchObject({
      ok: false,
      rule: expect.stringContaining('longer than zero'),
    });
  });
});

describe('nextRetryDelayMs', () => {
  const exponential: RetryPolicy = {
    maxAttempts: 6,
    backoff: 'exponential',
    initialDelayMs: 1000,
    maxDelayMs: 10_000,
  };

  it('doubles the delay after each failed attempt, up to maxDelay', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => nextRetryDelayMs(exponential, attempt))).toEqual([
      1000, 2000, 4000, 8000, 10_000,
    ]);
  });

  it('waits the same time between attempts with fixed backoff', () => {
    const fixed: RetryPolicy = { ...exponential, backoff: 'fixed' };
    expect([1, 2, 5].map((attempt) => nextRetryDelayMs(fixed, attempt))).toEqual([1000, 1000, 1000]);
  });

  it('returns null once maxAttempts attempts have been made (a person has to act)', () => {
    expect(nextRetryDelayMs(exponential, 6)).toBeNull();
    expect(nextRetryDelayMs(exponential, 60)).toBeNull();
    expect(nextRetryDelayMs({ ...exponential, maxAttempts: 1 }, 1)).toBeNull();
  });

  it('stays finite for absurd attempt numbers', () => {
    expect(nextRetryDelayMs({ ...exponential, maxAttempts: 10_000 }, 5000)).toBe(10_000);
  });

  it('rejects attempt numbers below 1', () => {
    expect(() => nextRetryDelayMs(exponential, 0)).toThrow(RangeError);
  });

  it('uses a few growing attempts by default', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      maxAttempts: 3,
      backoff: 'exponential',
      initialDelayMs: 60_000,
      maxDelayMs: 3_600_000,
    });
    expect(nextRetryDelayMs(DEFAULT_RETRY_POLICY, 1)).toBe(60_000);
    expect(nextRetryDelayMs(DEFAULT_RETRY_POLICY, 2)).toBe(120_000);
    expect(nextRetryDelayMs(DEFAULT_RETRY_POLICY, 3)).toBeNull();
  });
});

describe('RoleModel.retryPolicy and transmittedValidityMs', () => {
  const model = parseRoleModel(
    `version: 1
connections: [{ id: c, name: C, connector: manual }]
resourceTypes:
  - { id: plain, name: Plain, connection: c }
  - id: tuned
    name: Tuned
    connection: c
    transmittedValidityPeriod: P15D
    retryPolicy: { maxAttempts: 5, backoff: fixed, initialDelay: PT10M }
  - id: slow
    name: Slow
    connection: c
    retryPolicy: { initialDelay: PT2H }
`,
    'timing.yaml',
  );

  it('fills a partial policy with the defaults', () => {
    expect(model.retryPolicy('plain')).toEqual(DEFAULT_RETRY_POLICY);
    expect(model.retryPolicy('tuned')).toEqual({
      maxAttempts: 5,
      backoff: 'fixed',
      initialDelayMs: 600_000,
      maxDelayMs: 3_600_000,
    });
  });

  it('raises the default cap when only a longer initial delay is given', () => {
    expect(model.retryPolicy('slow')).toMatchObject({ initialDelayMs: 7_200_000, maxDelayMs: 7_200_000 });
  });

  it('falls back to the defaults for a resource type no longer in the model', () => {
    expect(model.retryPolicy('removed')).toEqual(DEFAULT_RETRY_POLICY);
  });

  it('gives the validity period in milliseconds, or null when there is none', () => {
    expect(model.transmittedValidityMs('tuned')).toBe(15 * 86_400_000);
    expect(model.transmittedValidityMs('plain')).toBeNull();
  });
});
