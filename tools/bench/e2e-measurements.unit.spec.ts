import { sustainedVerdict } from './e2e-measurements';

describe("the sustained run's verdict", () => {
  const fast = Array.from({ length: 100 }, () => 100);

  it('meets the goal when every order was Executed with a p99 under 250 ms', () => {
    expect(sustainedVerdict(10, fast, 10, 10.5)).toBe(
      'sustained verdict: sent 10.0/s of 10/s offered, all Executed 0.5 s after the last was sent; ' +
        'p99 100 ms meets the goal of < 250 ms',
    );
  });

  it('misses it, and says how many are missing, when orders were still open at the end of the wait', () => {
    const verdict = sustainedVerdict(10, fast, 10, 610, 120);
    expect(verdict).toContain('sent 12.0/s of 10/s offered');
    expect(verdict).toContain('20 of 120 not Executed 600.0 s after the last was sent');
    expect(verdict).toMatch(/p99 100 ms misses/);
  });

  it('misses it when the p99 is 250 ms or more', () => {
    expect(sustainedVerdict(10, [...fast, 300, 300], 10, 11)).toMatch(/p99 300 ms misses/);
  });
});
