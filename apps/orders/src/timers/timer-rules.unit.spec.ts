import { ProvisioningState } from '@prov/domain';
import type { RetryPolicy } from '@prov/role-model';
import { redispatchDue, retryDue, type TimedOrderFacts, validityExpired } from './timer-rules';

const { Pending, Transmitted, Errored, Executed, AwaitingApproval } = ProvisioningState;
const T0 = new Date('2030-01-01T08:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const order = (provisioningStateCode: number, fields: Partial<TimedOrderFacts> = {}): TimedOrderFacts => ({
  provisioningStateCode,
  fulfillment: 'automatic',
  attempt: 1,
  updatedAt: T0,
  ...fields,
});
const HOUR = 3_600_000;

describe('transmitted validity', () => {
  it('2 Transmitted: expires when the period has passed since the transmission', () => {
    const transmitted = order(Transmitted, { fulfillment: 'manual' });
    expect(validityExpired(transmitted, HOUR, undefined, at(3599))).toBe(false);
    expect(validityExpired(transmitted, HOUR, undefined, at(3600))).toBe(true);
  });

  it('no period: never', () => {
    expect(validityExpired(order(Transmitted), null, undefined, at(10 ** 9))).toBe(false);
    expect(validityExpired(order(Executed), null, at(10), at(10 ** 9))).toBe(false);
  });

  it('8 Executed, never synchronized since (an operator-confirmed manual order): final, never expires', () => {
    const confirmed = order(Executed, { fulfillment: 'manual' });
    expect(validityExpired(confirmed, HOUR, undefined, at(10 * 3600))).toBe(false);
    expect(validityExpired(confirmed, HOUR, at(-60), at(10 * 3600))).toBe(false); // a read from before the execution says nothing
  });

  it('8 Executed, a later synchronization did not observe it: expires once the period has passed', () => {
    const executed = order(Executed);
    expect(validityExpired(executed, HOUR, at(60), at(3599))).toBe(false);
    expect(validityExpired(executed, HOUR, at(60), at(3600))).toBe(true);
    // Manual connections read back through a CSV synchronization are treated alike.
    expect(validityExpired(order(Executed, { fulfillment: 'manual' }), HOUR, at(60), at(3600))).toBe(true);
  });

  it('other states: never', () => {
    for (const state of [Pending, Errored, AwaitingApproval]) {
      expect(validityExpired(order(state), HOUR, at(60), at(10 ** 6))).toBe(false);
    }
  });
});

describe('retry policy', () => {
  const policy: RetryPolicy = {
    maxAttempts: 3,
    backoff: 'exponential',
    initialDelayMs: 60_000,
    maxDelayMs: HOUR,
  };

  it('retries an errored automatic order after the delay of its attempt', () => {
    expect(retryDue(order(Errored), policy, at(59))).toBe(false);
    expect(retryDue(order(Errored), policy, at(60))).toBe(true);
    expect(retryDue(order(Errored, { attempt: 2 }), policy, at(119))).toBe(false);
    expect(retryDue(order(Errored, { attempt: 2 }), policy, at(120))).toBe(true);
  });

  it('stops when the attempts are spent, and leaves manual orders to people', () => {
    expect(retryDue(order(Errored, { attempt: 3 }), policy, at(10 ** 6))).toBe(false);
    expect(retryDue(order(Errored, { fulfillment: 'manual' }), policy, at(10 ** 6))).toBe(false);
    expect(retryDue(order(Executed), policy, at(10 ** 6))).toBe(false);
  });
});

describe('lost dispatches', () => {
  it('publishes a Pending automatic order again after the dispatch timeout', () => {
    expect(redispatchDue(order(Pending), 300_000, at(299))).toBe(false);
    expect(redispatchDue(order(Pending), 300_000, at(300))).toBe(true);
    expect(redispatchDue(order(Pending, { fulfillment: 'manual' }), 300_000, at(10 ** 6))).toBe(false);
    expect(redispatchDue(order(Executed), 300_000, at(10 ** 6))).toBe(false);
  });
});
