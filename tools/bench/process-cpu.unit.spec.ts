import { difference, type Sample } from './process-cpu';

const backend = (group: string, own: number): Sample => ({
  group,
  own,
  reaped: 0,
  postgres: true,
  postmaster: false,
});
const postmaster = (reaped: number): Sample => ({
  group: 'postgres (postmaster)',
  own: 0,
  reaped,
  postgres: true,
  postmaster: true,
});

describe('CPU per group between two snapshots', () => {
  it("counts a backend that ended after its last sample in its own group, the rest as 'ended sessions'", () => {
    const before = new Map([
      [1, postmaster(1000)],
      [10, backend('postgres (orders)', 300)],
    ]);
    // Backend 10 used 500 more ms by its last sample and 20 after it; autovacuum worker 11 came,
    // was sampled at 80 ms and ended at 90 ms.
    const seen = new Map([
      [10, backend('postgres (orders)', 800)],
      [11, backend('postgres (autovacuum)', 80)],
    ]);
    const after = new Map([[1, postmaster(1000 + 820 + 90)]]);
    const totals = difference(before, after, seen);
    expect(totals.get('postgres (orders)')).toBe(500);
    expect(totals.get('postgres (autovacuum)')).toBe(80);
    expect(totals.get('postgres (ended sessions)')).toBe(30);
  });

  it("without samples, counts what ended in the run as 'ended sessions'", () => {
    const before = new Map([
      [1, postmaster(0)],
      [10, backend('postgres (orders)', 300)],
    ]);
    const after = new Map([[1, postmaster(820)]]);
    expect(Object.fromEntries(difference(before, after))).toEqual({
      'postgres (postmaster)': 0,
      'postgres (ended sessions)': 520,
    });
  });
});
