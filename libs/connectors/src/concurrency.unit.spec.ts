import { KeyedQueue, retryableOnce } from './concurrency';

describe('KeyedQueue', () => {
  it('runs work of one key one after the other, and goes on after a failure', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const step =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}:end`);
        if (fail) throw new Error(name);
      };
    const results = await Promise.allSettled([
      queue.run('a', step('a1', 20, true)),
      queue.run('a', step('a2', 1)),
      queue.run('b', step('b1', 5)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('a2:start')).toBeGreaterThan(log.indexOf('a1:end'));
    expect(log.indexOf('b1:start')).toBeLessThan(log.indexOf('a1:end'));
  });
});

describe('retryableOnce', () => {
  it('shares one preparation between callers, and tries again after a failure', async () => {
    let attempts = 0;
    const prepare = retryableOnce(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('not yet');
      return attempts;
    });
    await expect(prepare()).rejects.toThrow('not yet');
    expect(await Promise.all([prepare(), prepare()])).toEqual([2, 2]);
    expect(await prepare()).toBe(2);
    expect(attempts).toBe(2);
  });
});
