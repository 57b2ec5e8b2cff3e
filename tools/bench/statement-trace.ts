/**
 * Wall time per kind of statement (`SCALE_TRACE=1`): where a replay waits for PostgreSQL. Wraps
 * pg's Client.prototype.query for the bench process only; times of statements on different
 * connections overlap (the next page is read while the current one is written). Beside the wall
 * time, the CPU the statement's backend used meanwhile (its /proc times, 10 ms ticks; parallel
 * workers of a sort or an index build are not counted): what a statement costs whatever the load.
 */
import { Client } from 'pg';
import { processCpuMs } from './process-cpu';

function kind(text: string): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const into = words.findIndex((w) => /^(INTO|FROM|UPDATE|COPY|INDEX|EXISTS)$/i.test(w));
  const table = into >= 0 ? (words[into + 1] ?? '') : '';
  return `${words[0].toUpperCase()} ${table.replace(/[(,].*$/, '')}`.trim();
}

interface Total {
  ms: number;
  cpuMs: number;
  count: number;
}

export function traceStatements(): { stop(): string } {
  const original = Client.prototype.query;
  const totals = new Map<string, Total>();
  const add = (key: string, t0: bigint, pid: number | undefined, cpu0: number) => {
    const entry = totals.get(key) ?? { ms: 0, cpuMs: 0, count: 0 };
    entry.ms += Number(process.hrtime.bigint() - t0) / 1e6;
    if (pid) entry.cpuMs += processCpuMs(pid) - cpu0;
    entry.count += 1;
    totals.set(key, entry);
  };
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string; cursor?: unknown };
    const text = typeof first === 'string' ? first : (first?.text ?? '?');
    const key = kind(text);
    const pid = (this as unknown as { processID?: number }).processID;
    const cpu0 = pid ? processCpuMs(pid) : 0;
    const t0 = process.hrtime.bigint();
    const result = (original as (...a: unknown[]) => unknown).apply(this, args) as {
      then?: (ok: () => void, fail: () => void) => void;
      on?: (event: string, listener: () => void) => void;
    };
    if (result && typeof result.then === 'function')
      result.then(
        () => add(key, t0, pid, cpu0),
        () => add(key, t0, pid, cpu0),
      );
    else if (result && typeof result.on === 'function') result.on('finish', () => add(key, t0, pid, cpu0));
    return result;
  } as typeof Client.prototype.query;
  return {
    stop() {
      Client.prototype.query = original;
      return [...totals]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(
          ([key, { ms, cpuMs, count }]) =>
            `    ${(ms / 1000).toFixed(1).padStart(7)} s wall ${(cpuMs / 1000).toFixed(1).padStart(6)} s CPU  ${String(count).padStart(6)}×  ${key}`,
        )
        .join('\n');
    },
  };
}
