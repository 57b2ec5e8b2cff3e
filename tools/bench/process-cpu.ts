import { readdirSync, readFileSync } from 'node:fs';
import type { Pool } from 'pg';

/**
 * CPU time per order of every process the engine's work runs in: the services, and the servers
 * they use (PostgreSQL's backends and workers, nats-server, slapd). On a shared machine the wall
 * clock says little, but CPU time per order does not depend on how many others share the cores:
 * at 2 cores, N orders/s needs at most 2000/N ms of CPU per order over all processes.
 */

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface ProcessTimes {
  pid: number;
  parent: number;
  command: string;
  /** utime + stime, ms. */
  own: number;
  /** cutime + cstime, ms: CPU of children it has reaped (PostgreSQL backends that ended). */
  reaped: number;
}

function readTimes(pid: number): ProcessTimes | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command is in parentheses and may hold spaces; the fields follow the last ')'.
    const close = stat.lastIndexOf(')');
    const command = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const ms = (i: number) => (Number(fields[i]) * 1000) / TICKS_PER_SECOND;
    return {
      pid,
      parent: Number(fields[1]),
      command,
      own: ms(11) + ms(12),
      reaped: ms(13) + ms(14),
    };
  } catch {
    return undefined; // ended between the listing and the read
  }
}

/** CPU time (user + system) a process has used so far, in ms; 0 when it is gone. */
export function processCpuMs(pid: number): number {
  return readTimes(pid)?.own ?? 0;
}

/** Every process below `root` (children, grandchildren, ...), with its CPU so far. */
function descendants(root: number): ProcessTimes[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readTimes(Number(name)))
    .filter((p): p is ProcessTimes => p !== undefined);
  const children = new Map<number, ProcessTimes[]>();
  for (const p of all) children.set(p.parent, [...(children.get(p.parent) ?? []), p]);
  const found: ProcessTimes[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      walk(child.pid);
    }
  };
  walk(root);
  return found;
}

/** PostgreSQL backends by pid -> their session's `application_name`; the services' pools are `prov-<service>`. */
export async function sessionNames(pool: Pool): Promise<Map<number, string>> {
  // A parallel worker runs with its leader's settings, application_name included: it counts as
  // the leader's session. Other workers (autovacuum, ...) are named by their process title.
  const { rows } = await pool.query<{ pid: number; name: string }>(
    `SELECT pid, application_name AS name FROM pg_stat_activity
      WHERE backend_type IN ('client backend', 'parallel worker') AND application_name <> ''`,
  );
  return new Map(rows.map((row) => [row.pid, row.name.replace(/^prov-/, '')]));
}

export interface CpuGroups {
  /** Services by name -> pid. */
  services: Record<string, number | undefined>;
  /**
   * PostgreSQL backends by pid -> whose session they serve (the services' pools name themselves
   * in `application_name`); the bench's own sessions get a name starting with `bench`, which
   * keeps them out of the engine's total.
   */
  backends?: () => Promise<Map<number, string>>;
}

/** One process's CPU so far and the group it counts in. */
export interface Sample {
  group: string;
  own: number;
  reaped: number;
  postgres: boolean;
  postmaster: boolean;
}

/** What a PostgreSQL process without a session is: `postgres: walwriter` -> walwriter. */
function postgresRole(pid: number): string {
  try {
    const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return title.startsWith('postgres: ') ? title.slice('postgres: '.length).split(/\s+/)[0] : 'postmaster';
  } catch {
    return 'other';
  }
}

/** Every process of the run (below the bench's own) with the group it counts in. */
function snapshot(groups: CpuGroups, backends: Map<number, string>): Map<number, Sample> {
  const samples = new Map<number, Sample>();
  const byPid = new Map(Object.entries(groups.services).map(([name, pid]) => [pid, name]));
  const bench = readTimes(process.pid);
  const sample = (p: ProcessTimes, group: string, postgres = false): Sample => ({
    group,
    own: p.own,
    reaped: p.reaped,
    postgres,
    postmaster: postgres && p.parent === process.pid,
  });
  if (bench) samples.set(bench.pid, sample(bench, 'bench (client)'));
  for (const p of descendants(process.pid)) {
    const service = byPid.get(p.pid);
    if (service) samples.set(p.pid, sample(p, service));
    else if (p.command === 'postgres') {
      const session = backends.get(p.pid);
      const group = session?.startsWith('bench') ? session : `postgres (${session ?? postgresRole(p.pid)})`;
      samples.set(p.pid, sample(p, group, true));
    } else if (p.command === 'nats-server' || p.command === 'slapd') samples.set(p.pid, sample(p, p.command));
  }
  return samples;
}

/**
 * CPU per group between two snapshots. A PostgreSQL process that ended in between (a pool closing
 * an idle connection, an autovacuum or parallel worker) is no longer listed; its time is in the
 * postmaster's reaped total. `seen` holds the last sample of each PostgreSQL process taken while
 * the run went on: what a process that ended had used by then counts in its own group, and only
 * the rest (its last moments, and processes that came and went between two samples) counts as
 * `postgres (ended sessions)`.
 */
export function difference(
  before: Map<number, Sample>,
  after: Map<number, Sample>,
  seen: Map<number, Sample> = new Map(),
): Map<string, number> {
  const totals = new Map<string, number>();
  const add = (group: string, ms: number) => totals.set(group, (totals.get(group) ?? 0) + ms);
  let ended = 0;
  for (const [pid, now] of after) {
    add(now.group, now.own - (before.get(pid)?.own ?? 0));
    if (now.postmaster) ended += now.reaped - (before.get(pid)?.reaped ?? 0);
  }
  for (const [pid, then] of before) if (then.postgres && !after.has(pid) && !seen.has(pid)) ended -= then.own;
  for (const [pid, last] of seen) {
    if (after.has(pid)) continue;
    add(last.group, last.own - (before.get(pid)?.own ?? 0));
    ended -= last.own;
  }
  if (ended !== 0) add('postgres (ended sessions)', ended);
  return totals;
}

export interface CpuTable {
  rows: { process: string; msPerOrder: number }[];
  /** Engine total: every process but the bench's own. */
  totalMsPerOrder: number;
}

/** How often the PostgreSQL processes are sampled while a measurement runs. */
const SAMPLE_EVERY_MS = 500;

/**
 * Starts measuring; `stop(orders)` gives each group's CPU time per order since. Meanwhile the
 * PostgreSQL processes are sampled, so that those which end before `stop` (idle connections
 * closed by a pool, autovacuum and parallel workers) still count in their own group.
 */
export async function measureCpu(groups: CpuGroups): Promise<{ stop(orders: number): Promise<CpuTable> }> {
  const names = new Map(await groups.backends?.());
  const before = snapshot(groups, names);
  const seen = new Map<number, Sample>();
  // Processes the sessions were asked about once: PostgreSQL's own (walwriter, ...) have none.
  const asked = new Set(before.keys());
  let sampling: Promise<void> = Promise.resolve();
  const sample = async () => {
    let now = snapshot(groups, names);
    const unnamed = [...now].some(([pid, s]) => s.postgres && !s.postmaster && !asked.has(pid));
    if (unnamed && groups.backends) {
      for (const [pid, name] of await groups.backends()) names.set(pid, name);
      for (const pid of now.keys()) asked.add(pid);
      now = snapshot(groups, names);
    }
    for (const [pid, s] of now) if (s.postgres && !s.postmaster) seen.set(pid, s);
  };
  const timer = setInterval(() => {
    sampling = sampling.then(sample).catch(() => undefined);
  }, SAMPLE_EVERY_MS);
  timer.unref();
  return {
    async stop(orders: number): Promise<CpuTable> {
      clearInterval(timer);
      await sampling;
      // Backends opened during the burst are named now; the earlier ones keep their names.
      for (const [pid, name] of (await groups.backends?.()) ?? []) names.set(pid, name);
      const rows = [...difference(before, snapshot(groups, names), seen)].map(([process, ms]) => ({
        process,
        msPerOrder: ms / orders,
      }));
      rows.sort((a, b) => b.msPerOrder - a.msPerOrder);
      const totalMsPerOrder = rows
        .filter((r) => !r.process.startsWith('bench'))
        .reduce((sum, r) => sum + r.msPerOrder, 0);
      return { rows, totalMsPerOrder };
    },
  };
}

/** The table as the bench prints it, with the rate the total allows on `cores` cores (1000 × cores / total). */
export function formatCpuTable(table: CpuTable, cores: number, phase = 'burst'): string {
  const width = Math.max(...table.rows.map((r) => r.process.length));
  const lines = table.rows.map((r) => `  ${r.process.padEnd(width)} ${r.msPerOrder.toFixed(2).padStart(8)}`);
  return [
    `CPU ms per order (utime+stime from /proc, ${phase}):`,
    ...lines,
    `  ${'engine total'.padEnd(width)} ${table.totalMsPerOrder.toFixed(2).padStart(8)}` +
      `  (at most ${((1000 * cores) / table.totalMsPerOrder).toFixed(0)} orders/s on ${cores} cores)`,
  ].join('\n');
}

/** CPU time so far of `root` and every process below it (ended children included), in ms. */
export function treeCpuMs(root = process.pid): number {
  const below = descendants(root).reduce((sum, p) => sum + p.own + p.reaped, 0);
  return below + (readTimes(root)?.own ?? 0) + (readTimes(root)?.reaped ?? 0);
}
