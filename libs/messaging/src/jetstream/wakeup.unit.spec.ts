import { exponentialBackoff, settledWithin } from './wakeup';

describe('settledWithin', () => {
  it('is true for a promise that settles in time, whether it resolves or rejects', async () => {
    expect(await settledWithin(Promise.resolve('done'), 1000)).toBe(true);
    expect(await settledWithin(Promise.reject(new Error('failed')), 1000)).toBe(true);
  });

  it('is false when the time runs out first', async () => {
    expect(await settledWithin(new Promise(() => undefined), 10)).toBe(false);
  });
});

describe('exponentialBackoff', () => {
  it('doubles from the base and stays at the cap, however many attempts', () => {
    const delay = exponentialBackoff(500, 30_000);
    expect([1, 2, 3, 6, 7, 8, 5000].map(delay)).toEqual([500, 1000, 2000, 16_000, 30_000, 30_000, 30_000]);
  });
});
