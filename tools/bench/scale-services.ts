/**
 * The complete job at scale as an operator runs it (ADR 0056): every service of the system in its
 * own process (startSystem, as bench:e2e starts them) on the scaled store, the job started by
 * POST /api/jobs/complete and followed at GET /api/jobs/:id until it ends; printed: each task's
 * counts and time from the jobs read model (the evaluation's rate is in its counts), and every
 * service's peak RSS while the job ran (sampled) and since it started (VmHWM).
 *
 * The store is taken as a system that had processed its log: the replayed read models become the
 * live schema `rm` (and back afterwards), and the services' reactions start at the log's end (the
 * replay's checkpoint), as they would on a running installation. Only connection k's SQL target is
 * filled (with what its executed orders wrote): the job reads back every connection, and verifies
 * the executed orders of that one; the others' reads are empty and find no drift.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { createConnector } from '@prov/connectors';
import { LIVE_SCHEMA } from '@prov/read-models';
import { startSystem, waitFor } from '@prov/testing';
import { processCpuMs } from './process-cpu';
import { fillTarget } from './scale-job';
import { connectionId, roleModelYaml, scaleRoleModel, TARGET_URL_ENV } from './scale-model';

const SERVICES = ['gateway', 'requests', 'review', 'orders', 'agent', 'projector'] as const;
/** The reactions' checkpoints (each reaction's `name`): set to the log's end before the services start. */
const REACTIONS = [
  'orders.order-generation',
  'orders.dispatch',
  'orders.mover',
  'requests.identity-lifecycle',
];
const SAMPLE_MS = 500;
const JOB_TIMEOUT_MS = 4 * 3600_000;

interface TaskView {
  name: string;
  status: string;
  startedAt?: string;
  endedAt?: string;
  counts: Record<string, number>;
  errors: string[];
}

/** kB of a /proc/<pid>/status field, in MiB. */
function procStatusMiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  if (!pid) return 0;
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

const taskSeconds = (task: TaskView) =>
  task.startedAt && task.endedAt ? (Date.parse(task.endedAt) - Date.parse(task.startedAt)) / 1000 : NaN;

/** A task's line; the synchronize task's rate is of the orders its reads verified (counted by the verify task). */
function describeTask(task: TaskView, verified: number): string {
  const seconds = taskSeconds(task);
  const rate =
    task.name === 'synchronize' && seconds > 0 ? `, ${Math.round(verified / seconds)} verified orders/s` : '';
  const errors = task.errors.length
    ? `, ${task.errors.length} errors: ${task.errors.slice(0, 3).join(' | ')}`
    : '';
  return `    ${task.name}: ${task.status} in ${seconds.toFixed(1)} s${rate}; ${JSON.stringify(task.counts)}${errors}`;
}

export async function runCompleteJobOnServices(
  pool: Pool,
  options: { schema: string; url: string; adminUrl: string; connection: number; log: (line: string) => void },
): Promise<void> {
  const { log } = options;
  await pool.query(`DROP SCHEMA IF EXISTS ${LIVE_SCHEMA} CASCADE`);
  await pool.query(`ALTER SCHEMA ${options.schema} RENAME TO ${LIVE_SCHEMA}`);
  const dir = mkdtempSync(join(tmpdir(), 'scale-services-'));
  try {
    await pool.query(
      `INSERT INTO es.checkpoints (subscription_id, position)
       SELECT r, c.position FROM unnest($1::text[]) r, ${LIVE_SCHEMA}.checkpoints c WHERE c.projection = 'read-models'
       ON CONFLICT (subscription_id) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
        WHERE es.checkpoints.position < EXCLUDED.position`,
      [REACTIONS],
    );
    const connector = createConnector(scaleRoleModel().connection(connectionId(options.connection))!, {
      [TARGET_URL_ENV]: options.url,
    });
    await connector.readAll().finally(() => connector.close()); // creates the target's tables
    await fillTarget(pool, options.connection);
    const roleModel = join(dir, 'scale-role-model.yaml');
    writeFileSync(roleModel, roleModelYaml());

    // The services' own PostgreSQL databases besides the store (the HR application's) go in the scale cluster.
    process.env.PROV_TEST_POSTGRES_URL = options.adminUrl;
    const t0 = Date.now();
    const system = await startSystem({
      databaseUrl: options.url,
      roleModel,
      logLevel: process.env.LOG_LEVEL ?? 'warn',
      startTimeoutMs: 600_000,
      env: { TIMER_INTERVAL_MS: '5000', COMMAND_TIMEOUT_MS: '600000' },
      serviceEnv: { agent: { [TARGET_URL_ENV]: options.url } },
    });
    const pids = Object.fromEntries(SERVICES.map((s) => [s, system.pid(s)]));
    try {
      log(`  services started in ${((Date.now() - t0) / 1000).toFixed(0)} s on the scaled store`);
      const atStart = Object.fromEntries(SERVICES.map((s) => [s, procStatusMiB(pids[s], 'VmRSS')]));
      const peak = { ...atStart };
      const cpuBefore = Object.fromEntries(SERVICES.map((s) => [s, processCpuMs(pids[s] ?? 0)]));
      const sampler = setInterval(() => {
        for (const s of SERVICES) peak[s] = Math.max(peak[s], procStatusMiB(pids[s], 'VmRSS'));
      }, SAMPLE_MS);
      try {
        const operator = system.client('operator');
        const started = await operator.post('/api/jobs/complete', { timeoutMs: 600_000 });
        if (started.status !== 202)
          throw new Error(
            `POST /api/jobs/complete answered ${started.status}: ${JSON.stringify(started.body)}`,
          );
        const jobId = started.body.jobId as string;
        const jobStart = Date.now();
        let lastTask = '';
        const job = await waitFor(
          async () => {
            // 404 until the projector shows the job's start.
            const answer = await operator.get(`/api/jobs/${jobId}`, { timeoutMs: 60_000 });
            if (answer.status !== 200) return undefined;
            const view = answer.body as { status: string; tasks: TaskView[] };
            const running = view.tasks.find((t) => t.status === 'Running');
            if (running && running.name !== lastTask) {
              lastTask = running.name;
              const rss = SERVICES.map((s) => `${s} ${procStatusMiB(pids[s], 'VmRSS')}`).join(', ');
              log(
                `    ${running.name} started at ${((Date.now() - jobStart) / 1000).toFixed(0)} s; RSS MB: ${rss}`,
              );
            }
            return view;
          },
          {
            until: (view) => view !== undefined && view.status !== 'Running',
            timeoutMs: JOB_TIMEOUT_MS,
            intervalMs: 2000,
            description: `complete job ${jobId} to end`,
          },
        );
        const seconds = (Date.now() - jobStart) / 1000;
        log(`  complete job through the API: ${job!.status} in ${seconds.toFixed(1)} s`);
        const verified = job!.tasks.find((t) => t.name === 'verify')?.counts.verified ?? 0;
        for (const task of job!.tasks) log(describeTask(task, verified));
      } finally {
        clearInterval(sampler);
      }
      const cpu = SERVICES.map(
        (s) => `${s} ${((processCpuMs(pids[s] ?? 0) - cpuBefore[s]) / 1000).toFixed(1)}`,
      );
      log(`  CPU s during the job: ${cpu.join(', ')}`);
      log(
        `  RSS MB per service (at start → peak during the job; VmHWM since start): ` +
          SERVICES.map((s) => `${s} ${atStart[s]} → ${peak[s]} (${procStatusMiB(pids[s], 'VmHWM')})`).join(
            ', ',
          ),
      );
      const over = SERVICES.filter((s) => Math.max(peak[s], procStatusMiB(pids[s], 'VmHWM')) >= 256);
      log(`  every service under 256 MB: ${over.length === 0 ? 'yes' : `no (${over.join(', ')})`}`);
    } finally {
      await system.stop();
    }
  } finally {
    await pool.query(`ALTER SCHEMA ${LIVE_SCHEMA} RENAME TO ${options.schema}`);
  }
}
