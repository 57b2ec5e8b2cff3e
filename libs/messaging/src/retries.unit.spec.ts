import { ConstantBackoff, type IRetryBackoffContext } from 'cockatiel';
import { exponentialBackoff } from './jetstream/wakeup';
import { retryUntil, steadyBackoff } from './retries';

class Unavailable extends Error {}
class Refused extends Error {}

/** Runs `policy` over `tries` (one outcome per try) on fake time; what it returned or threw, and its waits. */
async function run(policy: ReturnType<typeof retryUntil>, tries: Array<Error | string>) {
  const waits: number[] = [];
  policy.onRetry(({ delay }) => waits.push(delay));
  let calls = 0;
  const outcome = policy
    .execute(() => {
      const next = tries[calls++];
      if (next instanceof Error) throw next;
      return next;
    })
    .then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  await jest.runAllTimersAsync();
  return { ...(await outcome), calls, waits };
}

describe('steadyBackoff', () => {
  it('waits what exponentialBackoff gives after each failed try, without jitter', () => {
    const context = { attempt: 1 } as IRetryBackoffContext<unknown>;
    let backoff = steadyBackoff(500, 30_000).next(context);
    const durations = [backoff.duration];
    for (let i = 0; i < 9; i++) {
      backoff = backoff.next(context);
      durations.push(backoff.duration);
    }
    const expected = exponentialBackoff(500, 30_000);
    expect(durations).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(expected));
  });
});

describe('retryUntil', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  const unavailable = (error: Error) => error instanceof Unavailable;

  it('retries an accepted failure with the backoff until a try succeeds', async () => {
    const policy = retryUntil(60_000, unavailable, steadyBackoff(500, 5000));
    const result = await run(policy, [new Unavailable(), new Unavailable(), new Unavailable(), 'stored']);
    expect(result).toEqual({ value: 'stored', calls: 4, waits: [500, 1000, 2000] });
  });

  it('throws any other failure at once', async () => {
    const refused = new Refused('order moved on');
    const result = await run(retryUntil(60_000, unavailable, steadyBackoff(500, 5000)), [refused, 'stored']);
    expect(result).toEqual({ error: refused, calls: 1, waits: [] });
  });

  it('never waits past the deadline, and throws the failure at it', async () => {
    const last = new Unavailable('still away');
    const policy = retryUntil(1200, unavailable, steadyBackoff(500, 5000));
    const result = await run(policy, [new Unavailable(), new Unavailable(), last, 'stored']);
    // 500 ms, then the 700 ms left instead of 1000: the third try is at the deadline and final.
    expect(result).toEqual({ error: last, calls: 3, waits: [500, 700] });
  });

  it('takes any cockatiel backoff, such as a constant pause', async () => {
    const policy = retryUntil(1000, unavailable, new ConstantBackoff(300));
    const result = await run(policy, [new Unavailable(), new Unavailable(), new Unavailable(), 'started']);
    expect(result).toEqual({ value: 'started', calls: 4, waits: [300, 300, 300] });
  });
});
