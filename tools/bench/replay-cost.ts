import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * What a replay costs, independent of how many others share the machine: CPU seconds of the
 * replaying (bench) process and of PostgreSQL (every process below the bench: the private
 * cluster's postmaster, backends and workers, with the CPU of backends that ended), and the
 * replaying process's peak RSS (VmHWM), reset before the replay so that the raw read before it
 * does not count.
 */

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface Stat {
  pid: number;
  parent: number;
  /** utime + stime + cutime + cstime, seconds. */
  cpu: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return { pid, parent: Number(fields[1]), cpu: ticks / TICKS_PER_SECOND };
  } catch {
    return undefined; // ended between the listing and the read
  }
}

/** CPU seconds of every process below this one (the cluster the bench started). */
function childrenCpu(): number {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => stat(Number(name)))
    .filter((s): s is Stat => s !== undefined);
  const below = new Set([process.pid]);
  let total = 0;
  // Parents have lower pids in the common case; repeat until no new descendant is found.
  for (let grew = true; grew;) {
    grew = false;
    for (const s of all)
      if (below.has(s.parent) && !below.has(s.pid)) {
        below.add(s.pid);
        total += s.cpu;
        grew = true;
      }
  }
  return total;
}

function ownCpu(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function vmHwmMb(): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return line ? Number(line.replace(/\D+/g, '')) / 1024 : NaN;
}

export interface ReplayCost {
  processCpuSeconds: number;
  postgresCpuSeconds: number;
  peakRssMb: number;
  /** False when the kernel refused to reset the peak (then it includes what ran before). */
  peakReset: boolean;
}

/** Starts measuring; the returned function gives the cost since. */
export function measureReplayCost(): () => ReplayCost {
  let peakReset = true;
  try {
    writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
  } catch {
    peakReset = false;
  }
  const own = ownCpu();
  const children = childrenCpu();
  return () => ({
    processCpuSeconds: ownCpu() - own,
    postgresCpuSeconds: childrenCpu() - children,
    peakRssMb: vmHwmMb(),
    peakReset,
  });
}
