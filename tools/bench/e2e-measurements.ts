import { readFileSync } from 'node:fs';
import { Client } from 'pg';

/** Latency from AssignmentRequested to ProvisioningOrderExecuted, per assignment, from the event log. */
export async function executionLatencies(databaseUrl: string, assignmentIds: string[]): Promise<number[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ ms: number }>(
      `SELECT EXTRACT(EPOCH FROM (max(e.created_at) FILTER (WHERE e.event_type = 'ProvisioningOrderExecuted')
                                - min(e.created_at) FILTER (WHERE e.event_type = 'AssignmentRequested'))) * 1000 AS ms
         FROM es.events e
        WHERE e.stream_name = ANY($1::text[])
        GROUP BY e.stream_name`,
      [assignmentIds.map((id) => `assignment-${id}`)],
    );
    return rows.map((row) => Number(row.ms)).filter((ms) => Number.isFinite(ms));
  } finally {
    await client.end();
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** Peak resident set size of a process (VmHWM), in MiB; undefined when it is gone. */
export function peakRssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export function summarize(label: string, latencies: number[], seconds: number): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  return (
    `${label}: ${latencies.length} executed in ${seconds.toFixed(1)} s = ${(latencies.length / seconds).toFixed(1)} orders/s; ` +
    `latency p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`
  );
}

/** CPU time (user + system) a process has used so far, in ms; undefined when it is gone. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks, after the command name in parentheses.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}
