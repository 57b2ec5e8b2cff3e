import { chainCheckDue, chainCheckResult, lastChainCheck } from './chain-check.decision';

describe("the complete job's hash-chain check", () => {
  const now = new Date('2026-12-02T02:00:00Z');
  const hours = (n: number) => n * 3_600_000;

  it('is due without a known check, or when the last one is at least the interval old', () => {
    expect(chainCheckDue(undefined, now, hours(20))).toBe(true);
    expect(chainCheckDue(new Date('2026-12-01T02:00:05Z'), now, hours(20))).toBe(true); // yesterday's daily run
    expect(chainCheckDue(new Date('2026-12-02T01:00:00Z'), now, hours(20))).toBe(false); // an hourly job
  });

  it("finds the last completed task that ran a check, whatever the job's order", () => {
    const task = (endedAt: string, counts: Record<string, number>, status = 'Completed') => ({
      name: 'verify',
      status,
      endedAt,
      counts,
    });
    const jobs = [
      { tasks: [task('2026-12-02T01:00:00Z', { verified: 1, chainCheckSkipped: 1 })] },
      { tasks: [task('2026-12-01T23:00:00Z', { chainEvents: 0 }, 'Failed')] },
      { tasks: [task('2026-12-01T02:00:00Z', { chainEvents: 10 }), task('2026-12-01T02:00:01Z', {})] },
      { tasks: [task('2026-11-30T02:00:00Z', { chainEvents: 9 })] },
      { tasks: null },
    ];
    expect(lastChainCheck(jobs)).toEqual(new Date('2026-12-01T02:00:00Z'));
    expect(lastChainCheck([])).toBeUndefined();
  });

  it('records counts, and an error naming the first event that does not match', () => {
    expect(chainCheckResult({ ok: true, streamsChecked: 3, eventsChecked: 8 })).toEqual({
      counts: { chainStreams: 3, chainEvents: 8, chainBroken: 0 },
      errors: [],
    });
    const broken = chainCheckResult({
      ok: false,
      streamsChecked: 2,
      eventsChecked: 5,
      firstBreak: { streamName: 'assignment-1', revision: 0n, eventId: 'e-1' },
    });
    expect(broken.counts.chainBroken).toBe(1);
    expect(broken.errors).toEqual([
      'hash chain broken: event e-1 (stream assignment-1, revision 0) does not match its hash',
    ]);
  });
});
