import { type CpuGroups, type CpuTable, measureCpu } from './process-cpu';

/** One period of a long run: the cores each process used on average over it. */
export interface CpuPeriod {
  fromSecond: number;
  /** Process group -> cores (CPU seconds per second of the period). */
  cores: Map<string, number>;
  /** Every process but the bench's own. */
  engineCores: number;
}

/**
 * The CPU of every process, period by period, while a long run goes on: whether the machine's
 * cores fill up as the run goes on (a table that grows, a group that grows in the directory) and
 * which process takes them, which one table for the whole run cannot say.
 */
export async function recordCpuByPeriod(
  groups: CpuGroups,
  periodMs: number,
): Promise<{ stop(): Promise<CpuPeriod[]> }> {
  const periods: CpuPeriod[] = [];
  const start = Date.now();
  let current = await measureCpu(groups);
  let currentFrom = start;
  // Periods end one after the other: a slow snapshot delays the next period, never overlaps it.
  let closing: Promise<void> = Promise.resolve();
  const close = async (final: boolean) => {
    const now = Date.now();
    const seconds = (now - currentFrom) / 1000;
    // Per "order" with one order a millisecond: each group's CPU ms per ms of wall time, in cores.
    const table = await current.stop(seconds * 1000);
    periods.push(period((currentFrom - start) / 1000, table));
    if (!final) {
      current = await measureCpu(groups);
      currentFrom = now;
    }
  };
  const timer = setInterval(() => {
    closing = closing.then(() => close(false)).catch(() => undefined);
  }, periodMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await closing;
      await close(true);
      return periods;
    },
  };
}

function period(fromSecond: number, table: CpuTable): CpuPeriod {
  return {
    fromSecond: Math.round(fromSecond),
    cores: new Map(table.rows.map((r) => [r.process, r.msPerOrder])),
    engineCores: table.totalMsPerOrder,
  };
}

/**
 * One line per period: the engine's cores in all, then the `top` groups of the whole run by CPU,
 * each as cores used; the rest summed as "other".
 */
export function formatCpuPeriods(title: string, periods: CpuPeriod[], top = 8): string {
  if (periods.length === 0) return `${title}: no period`;
  const totals = new Map<string, number>();
  for (const p of periods)
    for (const [group, cores] of p.cores)
      if (!group.startsWith('bench')) totals.set(group, (totals.get(group) ?? 0) + cores);
  const shown = [...totals.entries()]
    .sort(([, a], [, b]) => b - a)
    .slice(0, top)
    .map(([group]) => group);
  const f = (v: number) => v.toFixed(2).padStart(6);
  const lines = periods.map((p) => {
    const listed = shown.map((group) => p.cores.get(group) ?? 0);
    const other = p.engineCores - listed.reduce((sum, v) => sum + v, 0);
    return `  from ${String(p.fromSecond).padStart(4)} s  engine ${f(p.engineCores)}  ${listed.map(f).join(' ')}  ${f(other)}`;
  });
  return [`${title} (cores used; columns: ${shown.join(', ')}, other):`, ...lines].join('\n');
}
