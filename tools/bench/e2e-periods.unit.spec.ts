import type { OrderTimes } from './e2e-hops';
import { formatPeriods, latencyByPeriod } from './e2e-periods';

const order = (requested: number, executed: number | undefined, queue = 0, connectorMs = 10): OrderTimes => ({
  assignmentId: `a${requested}`,
  requested,
  generated: requested + 5,
  reported: executed === undefined ? undefined : requested + 5 + queue + connectorMs,
  executed,
  connectorMs,
});

describe("the end-to-end bench's latency period by period", () => {
  it('groups orders by when they were requested, from the first, and takes each period apart', () => {
    const periods = latencyByPeriod(
      [
        order(10_000, 10_100),
        order(10_500, 10_700, 20),
        // The next minute: one stalled order, one never executed.
        order(70_000, 82_000, 11_000, 900),
        order(70_001, undefined),
      ],
      60_000,
    );

    expect(periods).toEqual([
      { fromSecond: 0, orders: 2, p50: 100, p99: 200, max: 200, queueP99: 20, connectorP99: 10 },
      {
        fromSecond: 60,
        orders: 2,
        p50: 12_000,
        p99: 12_000,
        max: 12_000,
        queueP99: 11_000,
        connectorP99: 900,
      },
    ]);
  });

  it('leaves out periods without requests and prints one line per period', () => {
    const periods = latencyByPeriod([order(0, 50), order(130_000, 130_040)], 60_000);
    expect(periods.map((p) => p.fromSecond)).toEqual([0, 120]);
    const text = formatPeriods('sustained, minute by minute', periods);
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toContain('from  120 s      1 orders  p50      40');
  });

  it('has no periods for no orders', () => {
    expect(latencyByPeriod([], 60_000)).toEqual([]);
  });
});
