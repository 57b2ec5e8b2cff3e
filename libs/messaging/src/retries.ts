import {
  ExponentialBackoff,
  handleWhen,
  noJitterGenerator,
  retry,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  type RetryPolicy,
} from 'cockatiel';

/**
 * Retry loops run on cockatiel's `retry` (ADR 0035). Two things it does not say by itself live
 * here: delays without jitter (the delays the loops had), and a stop at a deadline.
 */
export type RetryBackoff = IBackoffFactory<IRetryBackoffContext<unknown>>;

/**
 * cockatiel's exponential backoff without its default jitter: `baseMs`, twice that, ... capped
 * at `maxMs`, the delays of `exponentialBackoff(baseMs, maxMs)` after failed try 1, 2, ...
 */
export function steadyBackoff(baseMs: number, maxMs: number): RetryBackoff {
  return new ExponentialBackoff({ generator: noJitterGenerator, initialDelay: baseMs, maxDelay: maxMs });
}

/**
 * Retries the failures `retryWhen` accepts until `deadline` (epoch milliseconds): no wait ends
 * after it, and a failure at or after it is the last (it is thrown). Any other failure is thrown
 * at once.
 */
export function retryUntil(
  deadline: number,
  retryWhen: (error: Error) => boolean,
  backoff: RetryBackoff,
): RetryPolicy {
  return retry(
    handleWhen((error) => retryWhen(error) && Date.now() < deadline),
    { backoff: endingBy(deadline, backoff) },
  );
}

function endingBy(deadline: number, backoff: RetryBackoff): RetryBackoff {
  const capped = (
    delay: IBackoff<IRetryBackoffContext<unknown>>,
  ): IBackoff<IRetryBackoffContext<unknown>> => ({
    duration: Math.min(delay.duration, Math.max(0, deadline - Date.now())),
    next: (context) => capped(delay.next(context)),
  });
  return { next: (context) => capped(backoff.next(context)) };
}
