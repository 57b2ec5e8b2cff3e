import type { RetryPolicy } from './types';

/**
 * Automatic retries of Errored orders. The defaults follow what peers ship (Syncope retries 3
 * times, midPoint 3 times 30 minutes apart): a few attempts, growing apart, so that an outage of
 * the target is ridden out without a retry storm and a real error still reaches a person soon.
 *
 * Delays are deterministic (no jitter): the timer that schedules a retry is decided in the pure
 * domain, where the same events must always give the same schedule.
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  backoff: 'exponential',
  initialDelayMs: 60_000,
  maxDelayMs: 3_600_000,
});

/**
 * How long to wait after attempt number `attempt` (1 = the first delivery) failed before the
 * next one, or null when the policy allows no further attempt and a person has to act.
 *
 * fixed: always `initialDelay`; exponential: `initialDelay × 2^(attempt-1)`, capped at `maxDelay`.
 */
export function nextRetryDelayMs(policy: RetryPolicy, attempt: number): number | null {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be a whole number from 1, got ${attempt}`);
  }
  if (attempt >= policy.maxAttempts) return null;
  if (policy.backoff === 'fixed') return Math.min(policy.initialDelayMs, policy.maxDelayMs);
  // Capping the exponent keeps 2^n finite for absurd attempt counts; the cap below does the rest.
  const factor = 2 ** Math.min(attempt - 1, 52);
  return Math.min(policy.initialDelayMs * factor, policy.maxDelayMs);
}
