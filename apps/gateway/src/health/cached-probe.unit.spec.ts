import { CachedProbe } from './cached-probe';

describe('CachedProbe', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => (clock = 1_000));

  it('shares one running probe among concurrent callers', async () => {
    let calls = 0;
    let finish!: (value: string) => void;
    const probe = new CachedProbe(() => {
      calls++;
      return new Promise<string>((resolve) => (finish = resolve));
    }, 1000, now);
    const answers = [probe.get(), probe.get(), probe.get()];
    finish('up');
    expect(await Promise.all(answers)).toEqual(['up', 'up', 'up']);
    expect(calls).toBe(1);
  });

  it('serves the result until it is ttl old, then probes again', async () => {
    let calls = 0;
    const probe = new CachedProbe(async () => ++calls, 1000, now);
    expect(await probe.get()).toBe(1);
    clock += 999;
    expect(await probe.get()).toBe(1);
    clock += 1;
    expect(await probe.get()).toBe(2);
  });

  it('caches a failure for the same time, then tries again', async () => {
    let calls = 0;
    const probe = new CachedProbe(async () => {
      calls++;
      if (calls === 1) throw new Error('down');
      return 'up';
    }, 1000, now);
    await expect(probe.get()).rejects.toThrow('down');
    await expect(probe.get()).rejects.toThrow('down');
    clock += 1000;
    await expect(probe.get()).resolves.toBe('up');
    expect(calls).toBe(2);
  });
});
