import { ThrottlerStorageService } from '@nestjs/throttler';
import fc from 'fast-check';
import { HitQueueStorage } from './hit-queue-storage';

const LIMITS = {
  'sign-in': { ttl: 1_000, limit: 2 },
  writes: { ttl: 3_000, limit: 5 },
};

const step = fc.record({
  // Steps of whole windows too: a hit must stop counting exactly when its window ends.
  advanceMs: fc.oneof(fc.constantFrom(0, 1, 500, 1_000, 3_000), fc.integer({ min: 1, max: 1_500 })),
  caller: fc.constantFrom('token:a', 'token:b', 'ip:127.0.0.1'),
  throttler: fc.constantFrom<keyof typeof LIMITS>('sign-in', 'writes'),
  blocking: fc.boolean(),
  // A route may set its own window for a limit: one caller's hits then live for different times.
  window: fc.constantFrom<number | undefined>(undefined, undefined, 500, 2_000),
});

describe('HitQueueStorage', () => {
  afterEach(() => jest.useRealTimers());

  it("answers every hit exactly as @nestjs/throttler's own storage does", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 80 }), async (steps) => {
        jest.useFakeTimers({ now: 1_700_000_000_000 });
        const library = new ThrottlerStorageService();
        const ours = new HitQueueStorage(() => Date.now());
        try {
          for (const { advanceMs, caller, throttler, blocking, window } of steps) {
            jest.setSystemTime(Date.now() + advanceMs);
            const { limit } = LIMITS[throttler];
            const ttl = window ?? LIMITS[throttler].ttl;
            const key = `${throttler}:${caller}`;
            const block = blocking ? ttl : 0;
            const expected = await library.increment(key, ttl, limit, block, throttler);
            expect(await ours.increment(key, ttl, limit, block, throttler)).toEqual(expected);
          }
        } finally {
          library.onApplicationShutdown();
          ours.onApplicationShutdown();
          jest.useRealTimers();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('blocks past the limit for the block duration, then counts afresh', async () => {
    let now = 0;
    const storage = new HitQueueStorage(() => now);
    const hit = () => storage.increment('writes:token:a', 10_000, 2, 5_000, 'writes');
    expect((await hit()).isBlocked).toBe(false);
    expect((await hit()).isBlocked).toBe(false);
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 5 });
    now = 4_000;
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    now = 5_000;
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 5, isBlocked: false, timeToBlockExpire: 0 });
    storage.onApplicationShutdown();
  });

  it('keeps counting a caller with hundreds of thousands of live hits', async () => {
    let now = 0;
    const storage = new HitQueueStorage(() => now);
    // The library's storage finds the first to expire with Math.min(...hits): past about 120,000
    // live hits that throws a RangeError, which the guard would turn into a 500.
    for (let i = 0; i < 300_000; i += 1) {
      now = i;
      await storage.increment('writes:token:feed', 3_600_000, 300_000, 0, 'writes');
    }
    const refused = await storage.increment('writes:token:feed', 3_600_000, 300_000, 0, 'writes');
    expect(refused).toEqual({
      totalHits: 300_001,
      timeToExpire: 3_301,
      isBlocked: true,
      timeToBlockExpire: 3_301,
    });
    storage.onApplicationShutdown();
  });

  it('forgets callers once nothing of theirs is live, and keeps those still counted or blocked', async () => {
    let now = 0;
    const storage = new HitQueueStorage(() => now);
    await storage.increment('writes:token:a', 1_000, 5, 1_000, 'writes');
    for (let i = 0; i < 3; i += 1) await storage.increment('sign-in:ip:x', 1_000, 1, 10_000, 'sign-in');
    now = 500;
    await storage.increment('writes:token:b', 1_000, 5, 1_000, 'writes');
    now = 1_200;
    storage.evictIdle();
    // a: its hit and window are over; b: its hit counts until 1,500; x: blocked until 10,000.
    expect(storage.callers).toBe(2);
    now = 10_001;
    storage.evictIdle();
    expect(storage.callers).toBe(0);
    storage.onApplicationShutdown();
  });
});
