import { Pacer, pacedDelay, pacedStep } from './pacing';

describe('pacing of reads, wake-ups and commands', () => {
  const pacing = { burst: 3, intervalMs: 20 };

  it('lets a burst go at once after a quiet spell, then one step per interval', () => {
    const pacer = new Pacer(pacing);
    const delays: number[] = [];
    for (let step = 0; step < 5; step++) {
      delays.push(pacer.delay(1_000));
      pacer.take(1_000 + pacer.delay(1_000));
    }
    // Three at once, then each 20 ms after the one before.
    expect(delays).toEqual([0, 0, 0, 20, 40]);
  });

  it('refills one step per interval of quiet, up to the burst', () => {
    const pacer = new Pacer(pacing);
    for (let step = 0; step < 3; step++) pacer.take(1_000);
    expect(pacer.delay(1_000)).toBe(20);
    expect(pacer.delay(1_020)).toBe(0);
    pacer.take(1_020);
    expect(pacer.delay(1_020)).toBe(20);
    // After burst × interval of quiet the whole burst is back.
    const rested = new Pacer(pacing);
    for (let step = 0; step < 3; step++) rested.take(1_000);
    for (let step = 0; step < 3; step++) {
      expect(rested.delay(1_060)).toBe(0);
      rested.take(1_060);
    }
  });

  it('takes a step ahead of its turn, leaving the next one at most one interval to wait', () => {
    const pacer = new Pacer(pacing);
    for (let step = 0; step < 3; step++) pacer.take(1_000);
    expect(pacer.delay(1_000)).toBe(20);
    for (let step = 0; step < 5; step++) pacer.takeAhead(1_000);
    expect(pacer.delay(1_000)).toBe(20);
    // Taken ahead on a bucket with room, it is a step like another.
    const fresh = new Pacer(pacing);
    fresh.takeAhead(1_000);
    expect(fresh.delay(1_000)).toBe(0);
  });

  it('never waits with an interval of 0, and treats a burst below 1 as 1', () => {
    expect(pacedDelay(5_000, 0, { burst: 1, intervalMs: 0 })).toBe(0);
    expect(
      pacedDelay(pacedStep(0, 100, { burst: 0, intervalMs: 10 }), 100, { burst: 0, intervalMs: 10 }),
    ).toBe(10);
  });
});
