import { readFileSync, writeFileSync } from 'node:fs';
import { measureCpu } from './process-cpu';

/**
 * What a replay costs, independent of how many others share the machine: CPU seconds of the
 * replaying (bench) process and of PostgreSQL (the private cluster's processes below the bench,
 * with the CPU of backends that ended), and the replaying process's peak RSS (VmHWM), reset
 * before the replay so that the raw read before it does not count.
 */
export interface ReplayCost {
  processCpuSeconds: number;
  postgresCpuSeconds: number;
  /** PostgreSQL's CPU by process (`postgres (walwriter)`, `postgres (ended sessions)`…), largest first. */
  postgresByProcess: { process: string; seconds: number }[];
  peakRssMb: number;
  /** False when the kernel refused to reset the peak (then it includes what ran before). */
  peakReset: boolean;
}

function vmHwmMb(): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return line ? Number(line.replace(/\D+/g, '')) / 1024 : NaN;
}

/** Starts measuring; the returned function gives the cost since. */
export async function measureReplayCost(): Promise<() => Promise<ReplayCost>> {
  let peakReset = true;
  try {
    writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
  } catch {
    peakReset = false;
  }
  const cpu = await measureCpu({ services: {} });
  return async () => {
    const { rows } = await cpu.stop(1); // ms per "order" of one: ms in all
    const seconds = (match: (process: string) => boolean) =>
      rows.filter((r) => match(r.process)).reduce((sum, r) => sum + r.msPerOrder, 0) / 1000;
    return {
      processCpuSeconds: seconds((p) => p.startsWith('bench')),
      postgresCpuSeconds: seconds((p) => p.startsWith('postgres')),
      postgresByProcess: rows
        .filter((r) => r.process.startsWith('postgres'))
        .map((r) => ({ process: r.process, seconds: r.msPerOrder / 1000 })),
      peakRssMb: vmHwmMb(),
      peakReset,
    };
  };
}
