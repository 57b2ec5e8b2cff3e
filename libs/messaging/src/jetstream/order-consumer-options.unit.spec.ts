import { consumerLimits } from './order-consumer-options';

describe("an order consumer's limits", () => {
  it('given no options, then one slot, four unacked orders and pulls of 5 s', () => {
    expect(consumerLimits({})).toEqual({ concurrency: 1, maxUnacked: 4, pullExpiresMs: 5000 });
  });

  it('never holds fewer unacked orders than slots, nor pulls shorter than a second', () => {
    expect(consumerLimits({ concurrency: 16, maxUnacked: 8, pullExpiresMs: 10 })).toEqual({
      concurrency: 16,
      maxUnacked: 16,
      pullExpiresMs: 1000,
    });
    expect(consumerLimits({ concurrency: 16 }).maxUnacked).toBe(64);
  });

  it('refuses a limit that is not a whole number, naming it', () => {
    expect(() => consumerLimits({ concurrency: 0 })).toThrow('concurrency must be a positive integer, got 0');
    expect(() => consumerLimits({ concurrency: 1.5 })).toThrow(/^concurrency/);
    expect(() => consumerLimits({ maxUnacked: 2.5 })).toThrow(
      'maxUnacked must be a positive integer, got 2.5',
    );
  });
});
