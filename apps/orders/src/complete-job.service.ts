import { Inject, Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { commandMetadata, handleCommand, type EventMetadata } from '@prov/command-handling';
import { DomainError, jobDecider, type JobCommand, jobStreamName, ProvisioningState } from '@prov/domain';
import type { EventStore } from '@prov/event-store';
import { CommandClient } from '@prov/messaging';
import { DATABASE_POOL, EVENT_STORE, ROLE_MODEL, tryAdvisoryLock } from '@prov/platform';
import { ReadModelQueries } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { BirthrightEvaluation } from './birthright-evaluation';
import { ChainCheck } from './chain-check';
import { JobFulfilment } from './job-fulfilment';
import { OrderMaintenance } from './order-maintenance';
import { TimersService } from './timers/timers.service';

/**
 * The tasks, in order: evaluate what everybody should have, fulfil it and wait for the agents,
 * read every connection back, verify (Executed → Verified as the reads show, validity periods),
 * report what the reads found that nobody expects.
 */
export const COMPLETE_JOB_TASKS = [
  'evaluate-role-model',
  'fulfil',
  'synchronize',
  'verify',
  'report-drift',
] as const;
type TaskName = (typeof COMPLETE_JOB_TASKS)[number];
type TaskResult = { counts: Record<string, number>; errors: string[] };

/**
 * What one run's tasks hand to the next ones: counts per connection, never a list of what the
 * evaluation changed (a changed role model changes every assignment: a million ids). The fulfil
 * task finds those orders in the read model instead, once it shows the task's own start.
 */
interface JobRun {
  jobId: string;
  /** Per connection read back: how many orders the read verified and how much drift it found. */
  synchronized: Map<string, { verified: number; nonConforming: number }>;
}

/**
 * An evaluation the evaluate task runs, in order: the birthright rules of every identity first
 * (what they grant gets its orders at once), then the role model for every live assignment, so
 * that the orders both cause are fulfilled in the same run.
 */
type Evaluation = (jobId: string) => Promise<TaskResult>;

/**
 * How long the job waits for a connection's read-back to be read and recorded: longer than the
 * agent's own wait for the report (300 s, for 100,000 accounts verified), plus the read itself.
 * At 1 M assignments a connection holds 125,000 accounts: at the 589 orders/s measured for their
 * verification (ADR 0048) that is 212 s, and 120 s gave up on it while it was still verifying.
 */
const SYNCHRONIZE_TIMEOUT_MS = 600_000;

/** How long a refused start waits to name the running job. */
const RUNNING_JOB_WAIT_MS = 3_000;

/** Errors a task's completion names; the rest are counted (a rule failing for every assignment: a million). */
export const ERRORS_NAMED_PER_TASK = 100;

/** The task's result with at most ERRORS_NAMED_PER_TASK errors, the others counted in a last line. */
export function withErrorsNamed(result: TaskResult): TaskResult {
  const { errors } = result;
  if (errors.length <= ERRORS_NAMED_PER_TASK) return result;
  const more = errors.length - ERRORS_NAMED_PER_TASK;
  return { ...result, errors: [...errors.slice(0, ERRORS_NAMED_PER_TASK), `… and ${more} more`] };
}

export class JobAlreadyRunningError extends DomainError {
  override readonly name = 'JobAlreadyRunningError';
  constructor(readonly runningJobId: string | undefined) {
    super(
      'JOB_ALREADY_RUNNING',
      `a complete job is already running${runningJobId ? ` (job ${runningJobId})` : ''}`,
    );
  }
}

/**
 * The complete job: evaluate, fulfil and wait, synchronize every connection an agent can read,
 * verify, report drift. Each task's start and end are events on `job-<jobId>`. One job runs at
 * a time across all replicas (advisory lock).
 */
@Injectable()
export class CompleteJobService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('CompleteJob');
  private readonly queries: ReadModelQueries;
  private running?: Promise<void>;
  /** The job this replica runs, known before its JobStarted reaches the read model. */
  private currentJobId?: string;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    private readonly commands: CommandClient,
    private readonly maintenance: OrderMaintenance,
    private readonly birthright: BirthrightEvaluation,
    private readonly fulfilment: JobFulfilment,
    private readonly timers: TimersService,
    private readonly chainCheck: ChainCheck,
  ) {
    this.queries = new ReadModelQueries(pool);
    this.evaluations = [
      (jobId) => this.birthright.settleEveryIdentity(jobId, () => undefined),
      (jobId) => this.maintenance.evaluateRoleModel(jobId),
    ];
  }

  private readonly evaluations: Evaluation[];

  async start(actor: string, trigger: 'api' | 'schedule'): Promise<{ jobId: string }> {
    const lock = await tryAdvisoryLock(this.pool, 'complete-job');
    if (!lock) throw new JobAlreadyRunningError(await this.runningJobId());
    const jobId = randomUUID();
    this.currentJobId = jobId;
    const metadata = commandMetadata({ actor, correlationId: jobId }, new Date());
    try {
      await this.decide(
        jobId,
        {
          type: 'StartJob',
          jobId,
          kind: 'complete',
          tasks: [...COMPLETE_JOB_TASKS],
          trigger,
          now: new Date(),
          actor,
        },
        metadata,
      );
    } catch (error) {
      this.currentJobId = undefined;
      await lock.release();
      throw error;
    }
    this.running = this.run(jobId, metadata).finally(() => {
      this.currentJobId = undefined;
      return lock.release();
    });
    return { jobId };
  }

  /**
   * The job that holds the lock. Its holder may be a start on this replica whose lock answer came
   * in just after ours (its id is set a moment later), or another replica whose JobStarted has not
   * reached the read model yet: the refusal names it once known, waiting a bounded while.
   */
  private async runningJobId(): Promise<string | undefined> {
    const deadline = Date.now() + RUNNING_JOB_WAIT_MS;
    // Soon at first (this replica's own id comes within a turn), then less often.
    for (let pause = 25; ; pause = Math.min(pause * 2, 400)) {
      const running =
        this.currentJobId ?? (await this.queries.jobs(20)).find((job) => job.status === 'Running')?.jobId;
      if (running || Date.now() >= deadline) return running;
      await sleep(pause);
    }
  }

  private async run(jobId: string, metadata: EventMetadata): Promise<void> {
    const run: JobRun = { jobId, synchronized: new Map() };
    for (const task of COMPLETE_JOB_TASKS) {
      try {
        await this.decide(jobId, { type: 'StartJobTask', jobId, task, now: new Date() }, metadata);
        const result = await this.runTask(task, run);
        await this.decide(
          jobId,
          { type: 'CompleteJobTask', jobId, task, ...withErrorsNamed(result), now: new Date() },
          metadata,
        );
      } catch (error) {
        this.logger.error({ msg: 'complete job failed', jobId, task, error: String(error) });
        await this.decide(
          jobId,
          { type: 'FailJob', jobId, task, error: (error as Error).message ?? String(error), now: new Date() },
          metadata,
        ).catch(() => undefined);
        return;
      }
    }
    await this.decide(jobId, { type: 'CompleteJob', jobId, now: new Date() }, metadata);
    this.logger.log({ msg: 'complete job finished', jobId });
  }

  private runTask(task: TaskName, run: JobRun): Promise<TaskResult> {
    switch (task) {
      case 'evaluate-role-model':
        return this.evaluate(run);
      case 'fulfil':
        return this.fulfilment.fulfil(run.jobId, { shownTask: task });
      case 'synchronize':
        return this.synchronizeAll(run);
      case 'verify':
        return this.verify(run);
      case 'report-drift':
        return this.reportDrift(run);
    }
  }

  private async evaluate(run: JobRun): Promise<TaskResult> {
    const counts: Record<string, number> = {};
    const errors: string[] = [];
    for (const evaluation of this.evaluations) {
      const result = await evaluation(run.jobId);
      for (const [name, count] of Object.entries(result.counts)) counts[name] = (counts[name] ?? 0) + count;
      errors.push(...result.errors);
    }
    return { counts, errors };
  }

  /** Every connection an agent can read; manual ones are read back by a CSV synchronization instead. */
  private async synchronizeAll(run: JobRun): Promise<TaskResult> {
    const counts = { connections: 0, manualNotRead: 0 };
    const errors: string[] = [];
    for (const connection of this.roleModel.connections()) {
      if (connection.fulfillment !== 'automatic') {
        counts.manualNotRead++;
        continue;
      }
      try {
        const outcome = await this.commands.send<{ verified: number; nonConforming: number }>(
          'agent',
          'synchronize',
          { connectionId: connection.id, jobId: run.jobId },
          { timeoutMs: SYNCHRONIZE_TIMEOUT_MS, connectionId: connection.id },
        );
        counts.connections++;
        run.synchronized.set(connection.id, {
          verified: outcome.verified,
          nonConforming: outcome.nonConforming,
        });
      } catch (error) {
        errors.push(`${connection.id}: ${(error as Error).message}`);
      }
    }
    return { counts, errors };
  }

  /**
   * Executed orders the reads observed were verified as each read was recorded; what is left
   * waits for the next read, unless its validity period has run out (→ 3 Errored). Then the
   * event log itself: the hash chains, when the last check is old enough (ChainCheck).
   */
  private async verify(run: JobRun): Promise<TaskResult> {
    let verified = 0;
    for (const outcome of run.synchronized.values()) verified += outcome.verified;
    const expired = await this.timers.expireValidity(new Date());
    const executedNotVerified = await this.queries.countOrdersInStates([ProvisioningState.Executed]);
    const transmitted = await this.queries.countOrdersInStates([ProvisioningState.Transmitted]);
    const chain = await this.chainCheck.run(run.jobId);
    return {
      counts: { verified, expired, executedNotVerified, transmitted, ...chain.counts },
      errors: chain.errors,
    };
  }

  /** The drift each read found, per connection (listed at GET /api/connections/:id/non-conforming). */
  private async reportDrift(run: JobRun): Promise<TaskResult> {
    const counts: Record<string, number> = { nonConforming: 0 };
    for (const [connectionId, outcome] of run.synchronized) {
      counts.nonConforming += outcome.nonConforming;
      if (outcome.nonConforming > 0) counts[connectionId] = outcome.nonConforming;
    }
    if (counts.nonConforming > 0) {
      this.logger.warn({ msg: 'non-conforming resources found', jobId: run.jobId, ...counts });
    }
    return { counts, errors: [] };
  }

  private decide(jobId: string, command: JobCommand, metadata: EventMetadata) {
    return handleCommand(this.store, jobDecider, jobStreamName(jobId), command, { metadata });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}
