import { percentile } from './e2e-measurements';
import { eventHops, type HopFigure, type OrderTimes } from './e2e-hops';

/** The orders requested in one period of a run, and how long they took. */
export interface PeriodFigure {
  /** Seconds from the first request of the run to the period's start. */
  fromSecond: number;
  orders: number;
  /** requested → executed, p50 / p99 / max in ms (of the orders executed). */
  p50: number;
  p99: number;
  max: number;
  /** The agent's queue (generated → reported less the connector call) and the connector call, p99 in ms. */
  queueP99: number;
  connectorP99: number;
}

/**
 * A long run's latency period by period, by when each order was requested: whether its tail comes
 * from one stall or grows with the run (a group growing in the directory, a backlog building),
 * which one figure over ten minutes cannot say.
 */
export function latencyByPeriod(orders: readonly OrderTimes[], periodMs: number): PeriodFigure[] {
  if (orders.length === 0) return [];
  // Not Math.min(...): a ten-minute run's 120,000 arguments overflow the stack.
  const start = orders.reduce((first, o) => Math.min(first, o.requested), Infinity);
  const periods = new Map<number, OrderTimes[]>();
  for (const order of orders) {
    const index = Math.floor((order.requested - start) / periodMs);
    const inPeriod = periods.get(index);
    if (inPeriod) inPeriod.push(order);
    else periods.set(index, [order]);
  }
  // The hops as eventHops defines them, per period: one definition for both tables.
  const p99Of = (hops: HopFigure[], hop: string) => percentile(sortedValues(hops, hop), 99);
  return [...periods.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, inPeriod]) => {
      const hops = eventHops(inPeriod);
      const latency = sortedValues(hops, RUN_LATENCY);
      return {
        fromSecond: (index * periodMs) / 1000,
        orders: inPeriod.length,
        p50: percentile(latency, 50),
        p99: percentile(latency, 99),
        max: latency.at(-1) ?? NaN,
        queueP99: p99Of(hops, AGENT_QUEUE),
        connectorP99: p99Of(hops, CONNECTOR_CALL),
      };
    });
}

const RUN_LATENCY = 'requested → executed (the run’s latency)';
const AGENT_QUEUE = 'generated → reported, less the connector call';
const CONNECTOR_CALL = 'connector call';

function sortedValues(hops: HopFigure[], hop: string): number[] {
  const figure = hops.find((h) => h.hop === hop);
  if (!figure) throw new Error(`eventHops has no hop '${hop}'`);
  return [...figure.values].sort((a, b) => a - b);
}

/** One line per period: its start, the orders requested in it and their latencies in ms. */
export function formatPeriods(title: string, periods: PeriodFigure[]): string {
  const f = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(0)).padStart(7);
  const lines = periods.map(
    (p) =>
      `  from ${String(p.fromSecond).padStart(4)} s ${String(p.orders).padStart(6)} orders  p50 ${f(p.p50)}  p99 ${f(p.p99)}  max ${f(p.max)}  agent's queue p99 ${f(p.queueP99)}  connector p99 ${f(p.connectorP99)} ms`,
  );
  return [`${title}:`, ...lines].join('\n');
}
