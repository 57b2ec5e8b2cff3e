import { ProvisioningState } from '@prov/domain';
import type { RetryPolicy } from '@prov/role-model';
import {
  executedChangeBound,
  lastChangeBound,
  redispatchChangeBound,
  redispatchDue,
  retryAttemptsBound,
  retryDue,
  shortestRetryDelayMs,
  type TimedOrderFacts,
  validityExpired,
} from './timer-rules';

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

describe("the scans' bound on the last change", () => {
  it('reads orders changed up to now less the shortest delay, to the millisecond, and none after', () => {
    const bound = lastChangeBound([HOUR, null, 60_000], at(3600))!;
    expect(bound).toEqual(new Date(at(3540).getTime() + 1));
    // An order changed exactly at the cut-off is due (its delay has passed) and lies before the bound.
    expect(redispatchDue(order(Pending, { updatedAt: at(3540) }), 60_000, at(3600))).toBe(true);
    expect(at(3540) < bound).toBe(true);
    expect(redispatchDue(order(Pending, { updatedAt: bound }), 60_000, at(3600))).toBe(false);
  });

  it('no delay applies (no validity period anywhere): no scan', () => {
    expect(lastChangeBound([null, null], at(0))).toBeUndefined();
    expect(lastChangeBound([], at(0))).toBeUndefined();
  });

  it("a policy's first retry is its shortest; a policy that never retries has none", () => {
    const exponential: RetryPolicy = {
      maxAttempts: 4,
      backoff: 'exponential',
      initialDelayMs: 60_000,
      maxDelayMs: HOUR,
    };
    expect(shortestRetryDelayMs(exponential)).toBe(60_000);
    expect(shortestRetryDelayMs({ ...exponential, maxDelayMs: 30_000 })).toBe(30_000);
    expect(shortestRetryDelayMs({ ...exponential, backoff: 'fixed', initialDelayMs: HOUR })).toBe(HOUR);
    expect(shortestRetryDelayMs({ ...exponential, maxAttempts: 1 })).toBeNull();
  });
});

describe("the bound on a connection's Executed orders", () => {
  const validityBound = at(3600);

  it('is none on a connection never read back', () => {
    expect(executedChangeBound(validityBound, undefined)).toBeUndefined();
  });

  it('is none when no validity applies', () => {
    expect(executedChangeBound(undefined, at(60))).toBeUndefined();
  });

  it('is the last read-back when it came before the validity bound, else that bound', () => {
    expect(executedChangeBound(validityBound, at(60))).toEqual(at(60));
    expect(executedChangeBound(validityBound, at(7200))).toEqual(validityBound);
  });

  it.each([
    ['before the validity bound', 5_000],
    ['after the validity bound', 9_500],
  ])('admits exactly the orders validityExpired expires, read back %s', (_when, lastReadAt) => {
    const now = at(10_000);
    const validityMs = 1_000_000;
    const lastRead = at(lastReadAt);
    const bound = executedChangeBound(lastChangeBound([validityMs], now), lastRead)!;
    for (const seconds of [0, 4_999, 5_000, 5_001, 8_999, 9_000, 9_000.001, 9_001, 9_499, 9_500, 9_999]) {
      const executed = order(Executed, { updatedAt: at(seconds) });
      expect([seconds, executed.updatedAt < bound]).toEqual([
        seconds,
        validityExpired(executed, validityMs, lastRead, now),
      ]);
    }
  });
});

describe("the retry scan's bound on the attempt", () => {
  const policy = (maxAttempts: number): RetryPolicy => ({
    maxAttempts,
    backoff: 'fixed',
    initialDelayMs: 1000,
    maxDelayMs: 1000,
  });

  it('is the most attempts any policy allows: an order at it is retried by none', () => {
    const policies = [policy(3), policy(5), policy(1)];
    expect(retryAttemptsBound(policies)).toBe(5);
    for (const attempt of [4, 5, 6]) {
      const errored = order(Errored, { attempt });
      const due = policies.some((p) => retryDue(errored, p, at(3600)));
      expect([attempt, due]).toEqual([attempt, attempt < retryAttemptsBound(policies)]);
    }
  });
});

describe('sending a Pending order again while its queue is long (ADR 0076)', () => {
  const timeoutMs = 300_000;
  const now = at(3600);
  const pending = order(Pending, { updatedAt: at(0) });

  it('is not due while its connection queues an order stored before its timeout ran out', () => {
    // Published some time after it became Pending, before its timeout: it may be that oldest one.
    expect(redispatchDue(pending, timeoutMs, now, at(1))).toBe(false);
    expect(redispatchDue(pending, timeoutMs, now, at(300))).toBe(false);
  });

  it('is due once every queued order was stored after its timeout ran out, or none is queued', () => {
    expect(redispatchDue(pending, timeoutMs, now, at(301))).toBe(true);
    expect(redispatchDue(pending, timeoutMs, now, undefined)).toBe(true);
    expect(redispatchDue(pending, timeoutMs, at(299), undefined)).toBe(false);
  });

  it('reads up to the earlier of the timeout and the oldest queued order less the timeout', () => {
    const timeoutBound = lastChangeBound([timeoutMs], now)!;
    expect(redispatchChangeBound(timeoutBound, timeoutMs, undefined)).toEqual(timeoutBound);
    expect(redispatchChangeBound(timeoutBound, timeoutMs, at(1000))).toEqual(at(700));
    expect(redispatchChangeBound(timeoutBound, timeoutMs, at(3599))).toEqual(at(3299));
    // A NATS clock ahead of this one.
    expect(redispatchChangeBound(timeoutBound, timeoutMs, at(3601))).toEqual(timeoutBound);
    expect(redispatchChangeBound(undefined, timeoutMs, at(1000))).toBeUndefined();
  });

  it.each([undefined, 250, 301, 1000, 3599])(
    'admits exactly the due orders, oldest queued at %s s',
    (queuedAt) => {
      const oldest = queuedAt === undefined ? undefined : at(queuedAt);
      const bound = redispatchChangeBound(lastChangeBound([timeoutMs], now), timeoutMs, oldest)!;
      for (const seconds of [0, 0.999, 1, 699, 700, 700.001, 3299, 3300, 3301]) {
        const candidate = order(Pending, { updatedAt: at(seconds) });
        expect([seconds, candidate.updatedAt < bound]).toEqual([
          seconds,
          redispatchDue(candidate, timeoutMs, now, oldest),
        ]);
      }
    },
  );
});
