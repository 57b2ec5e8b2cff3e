import { timeout, TimeoutStrategy } from 'cockatiel';

/**
 * A level-free wake-up signal for a polling loop: `wait()` resolves at the next `notify()` or
 * after `timeoutMs`, whichever comes first. The consumer loop waits on it for a free handler
 * slot, for a reconnect and between retries, and `stop()` notifies it so that none of those
 * waits delays shutting down.
 */
export class Wakeup {
  private waiters = new Set<() => void>();

  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiters) resolve();
  }

  wait(timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(done, timeoutMs);
        timer.unref?.();
      }
    });
  }
}

/** Resolves with true when `promise` settled within `ms`, false when the time ran out. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = promise.then(
    () => true,
    () => true,
  );
  return timeout(ms, TimeoutStrategy.Aggressive)
    .execute(() => settled)
    .catch(() => false);
}

/** Exponential backoff: 1 s, 2 s, 4 s, ... capped at `maxMs`. */
export function exponentialBackoff(baseMs = 1000, maxMs = 60_000): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
