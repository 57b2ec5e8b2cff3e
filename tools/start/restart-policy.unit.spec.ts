import { DEFAULT_RESTART_POLICY, nextRestart, type RestartHistory } from './restart-policy';

describe('restarting a service that exited', () => {
  it('waits 1 s, then twice as long each time it exits again soon, up to 30 s', () => {
    let history: RestartHistory = { consecutive: 0, lastStartAt: 0 };
    const delays: number[] = [];
    let now = 5_000;
    for (let i = 0; i < 8; i++) {
      const next = nextRestart(history, now);
      delays.push(next.delayMs);
      history = next.history;
      now = history.lastStartAt + 2_000; // crashes two seconds after each start
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('starts over at 1 s after a run longer than a minute', () => {
    const crashing = { consecutive: 6, lastStartAt: 0 };
    expect(nextRestart(crashing, 10_000).delayMs).toBe(DEFAULT_RESTART_POLICY.maxDelayMs);
    expect(nextRestart(crashing, 61_000)).toEqual({
      delayMs: 1_000,
      history: { consecutive: 1, lastStartAt: 62_000 },
    });
  });
});
