import { formatCpuPeriods, type CpuPeriod } from './e2e-cpu-periods';

const minute = (fromSecond: number, cores: Record<string, number>): CpuPeriod => ({
  fromSecond,
  cores: new Map(Object.entries(cores)),
  engineCores: Object.entries(cores)
    .filter(([group]) => !group.startsWith('bench'))
    .reduce((sum, [, v]) => sum + v, 0),
});

describe("the end-to-end bench's CPU period by period", () => {
  it('lists the groups that took most over the run, the rest as other, and leaves the bench out', () => {
    const text = formatCpuPeriods(
      'sustained, CPU minute by minute',
      [
        minute(0, { slapd: 0.2, orders: 0.5, projector: 0.3, 'bench (client)': 0.9 }),
        minute(60, { slapd: 0.6, orders: 0.5, projector: 0.35, gateway: 0.05 }),
      ],
      2,
    );
    expect(text.split('\n')).toEqual([
      'sustained, CPU minute by minute (cores used; columns: orders, slapd, other):',
      '  from    0 s  engine   1.00    0.50   0.20    0.30',
      '  from   60 s  engine   1.50    0.50   0.60    0.40',
    ]);
  });

  it('says so when the run had no period', () => {
    expect(formatCpuPeriods('t', [])).toBe('t: no period');
  });
});
