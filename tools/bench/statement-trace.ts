/**
 * Wall time per kind of statement (`SCALE_TRACE=1`): where a replay waits for PostgreSQL. Wraps
 * pg's Client.prototype.query for the bench process only; times of statements on different
 * connections overlap (the next page is read while the current one is written).
 */
import { Client } from 'pg';

function kind(text: string): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const into = words.findIndex((w) => /^(INTO|FROM|UPDATE|COPY)$/i.test(w));
  const table = into >= 0 ? (words[into + 1] ?? '') : '';
  return `${words[0].toUpperCase()} ${table.replace(/[(,].*$/, '')}`.trim();
}

export function traceStatements(): { stop(): string } {
  const original = Client.prototype.query;
  const totals = new Map<string, { ms: number; count: number }>();
  const add = (key: string, t0: bigint) => {
    const entry = totals.get(key) ?? { ms: 0, count: 0 };
    entry.ms += Number(process.hrtime.bigint() - t0) / 1e6;
    entry.count += 1;
    totals.set(key, entry);
  };
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : (first?.text ?? '?');
    const key = kind(text);
    const t0 = process.hrtime.bigint();
    const result = (original as (...a: unknown[]) => unknown).apply(this, args) as {
      then?: (ok: () => void, fail: () => void) => void;
      on?: (event: string, listener: () => void) => void;
    };
    if (result && typeof result.then === 'function')
      result.then(
        () => add(key, t0),
        () => add(key, t0),
      );
    else if (result && typeof result.on === 'function') result.on('finish', () => add(key, t0));
    return result;
  } as typeof Client.prototype.query;
  return {
    stop() {
      Client.prototype.query = original;
      return [...totals]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(
          ([key, { ms, count }]) =>
            `    ${(ms / 1000).toFixed(1).padStart(7)} s  ${String(count).padStart(6)}×  ${key}`,
        )
        .join('\n');
    },
  };
}
