import { KeyedGathering, KeyedQueue, retryableOnce } from './concurrency';

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

describe('KeyedGathering', () => {
  it('writes the items of one turn together, and those that come while a write is out in the next one', async () => {
    const writes: string[][] = [];
    let release!: () => void;
    const gathering = new KeyedGathering<string>(async (key, items) => {
      writes.push([key, ...items]);
      if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items.map((item) =>
        item === 'bad'
          ? { status: 'rejected', reason: new Error(item) }
          : { status: 'fulfilled', value: item },
      );
    }, 3);
    const first = [gathering.run('g', 'a'), gathering.run('g', 'b'), gathering.run('h', 'x')];
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([
      ['g', 'a', 'b'],
      ['h', 'x'],
    ]);
    // The write of g is out: these wait for it, then go together (at most three a write).
    const later = ['c', 'bad', 'd', 'e'].map((item) => gathering.run('g', item));
    release();
    const results = await Promise.allSettled([...first, ...later]);
    expect(writes).toEqual([
      ['g', 'a', 'b'],
      ['h', 'x'],
      ['g', 'c', 'bad', 'd'],
      ['g', 'e'],
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
  });

  it('fails every item of a write that fails as a whole, and writes the next items of the key anew', async () => {
    const writes: string[][] = [];
    const gathering = new KeyedGathering<string>(async (key, items) => {
      writes.push([key, ...items]);
      if (writes.length === 1) throw new Error('connection lost');
      return items.map((item) => ({ status: 'fulfilled', value: item }));
    }, 8);
    const first = await Promise.allSettled([gathering.run('g', 'a'), gathering.run('g', 'b')]);
    expect(first.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r.status))).toEqual([
      'connection lost',
      'connection lost',
    ]);
    await expect(gathering.run('g', 'c')).resolves.toBeUndefined();
    expect(writes).toEqual([
      ['g', 'a', 'b'],
      ['g', 'c'],
    ]);
  });

  it("keeps a key's rest after its write for the items that come later; after it, a lone item goes at once", async () => {
    jest.useFakeTimers();
    try {
      const writes: string[][] = [];
      const gathering = new KeyedGathering<string>(
        async (key, items) => {
          writes.push([key, ...items]);
          await new Promise((resolve) => setTimeout(resolve, 40));
          return items.map((item) => ({ status: 'fulfilled', value: item }));
        },
        8,
        (writeMs) => writeMs,
      );
      const first = gathering.run('g', 'a');
      await jest.advanceTimersByTimeAsync(40);
      await first;
      // Nothing waits for g any more, but its writer rests: these do not start a write of their own.
      const later = [gathering.run('g', 'b'), gathering.run('g', 'c')];
      await jest.advanceTimersByTimeAsync(39);
      expect(writes).toEqual([['g', 'a']]);
      await jest.advanceTimersByTimeAsync(2);
      expect(writes).toEqual([
        ['g', 'a'],
        ['g', 'b', 'c'],
      ]);
      await jest.advanceTimersByTimeAsync(40);
      await Promise.all(later);
      // After the rest that follows, g starts anew: a lone item goes at once.
      await jest.advanceTimersByTimeAsync(41);
      const fresh = gathering.run('g', 'd');
      await jest.advanceTimersByTimeAsync(1);
      expect(writes.at(-1)).toEqual(['g', 'd']);
      await jest.advanceTimersByTimeAsync(40);
      await fresh;
    } finally {
      jest.useRealTimers();
    }
  });
});
