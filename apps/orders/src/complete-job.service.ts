import { Inject, Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { commandMetadata, handleCommand, type EventMetadata } from '@prov/command-handling';
import { DomainError, jobDecider, type JobCommand, jobStreamName } from '@prov/domain';
import type { EventStore } from '@prov/event-store';
import { CommandClient } from '@prov/messaging';
import { DATABASE_POOL, EVENT_STORE, ROLE_MODEL } from '@prov/platform';
import { ReadModelQueries } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { OrderMaintenance } from './order-maintenance';

export const COMPLETE_JOB_TASKS = [
  'synchronize',
  'evaluate-role-model',
  'fulfil',
  'synchronize-again',
  'verify',
] as const;
type TaskName = (typeof COMPLETE_JOB_TASKS)[number];
type TaskResult = { counts: Record<string, number>; errors: string[] };

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
 * The complete job: synchronize every connection, evaluate the role model again, fulfil what
 * is pending, synchronize again so that executed orders can be verified. Each task's start and
 * end are events on `job-<jobId>`. One job runs at a time across all replicas (advisory lock).
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
  ) {
    this.queries = new ReadModelQueries(pool);
  }

  async start(actor: string, trigger: 'api' | 'schedule'): Promise<{ jobId: string }> {
    const lock = await this.pool.connect();
    const { rows } = await lock.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock(hashtext('complete-job')) AS locked",
    );
    if (!rows[0].locked) {
      lock.release();
      const running =
        this.currentJobId ?? (await this.queries.jobs(20)).find((job) => job.status === 'Running')?.jobId;
      throw new JobAlreadyRunningError(running);
    }
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
      await this.unlock(lock);
      throw error;
    }
    this.running = this.run(jobId, metadata).finally(() => {
      this.currentJobId = undefined;
      return this.unlock(lock);
    });
    return { jobId };
  }

  private async run(jobId: string, metadata: EventMetadata): Promise<void> {
    for (const task of COMPLETE_JOB_TASKS) {
      try {
        await this.decide(jobId, { type: 'StartJobTask', jobId, task, now: new Date() }, metadata);
        const result = await this.runTask(task, jobId);
        await this.decide(
          jobId,
          { type: 'CompleteJobTask', jobId, task, ...result, now: new Date() },
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

  private runTask(task: TaskName, jobId: string): Promise<TaskResult> {
    switch (task) {
      case 'synchronize':
      case 'synchronize-again':
        return this.synchronizeAll(jobId);
      case 'evaluate-role-model':
        return this.maintenance.evaluateRoleModel(jobId);
      case 'fulfil':
        return this.maintenance.redispatchPendingOrders(jobId);
      case 'verify':
        return this.countUnverified();
    }
  }

  private async synchronizeAll(jobId: string): Promise<TaskResult> {
    const counts = { connections: 0, verified: 0, nonConforming: 0 };
    const errors: string[] = [];
    for (const connection of this.roleModel.connections()) {
      if (connection.fulfillment !== 'automatic') continue;
      try {
        const outcome = await this.commands.send<{ verified: number; nonConforming: number }>(
          'agent',
          'synchronize',
          { connectionId: connection.id, jobId },
          { timeoutMs: 120_000 },
        );
        counts.connections++;
        counts.verified += outcome.verified;
        counts.nonConforming += outcome.nonConforming;
      } catch (error) {
        errors.push(`${connection.id}: ${(error as Error).message}`);
      }
    }
    return { counts, errors };
  }

  private async countUnverified(): Promise<TaskResult> {
    const executed = await this.queries.ordersInStates([8]);
    const transmitted = await this.queries.ordersInStates([2]);
    return { counts: { executedNotVerified: executed.length, transmitted: transmitted.length }, errors: [] };
  }

  private decide(jobId: string, command: JobCommand, metadata: EventMetadata) {
    return handleCommand(this.store, jobDecider, jobStreamName(jobId), command, { metadata });
  }

  private async unlock(lock: PoolClient): Promise<void> {
    await lock.query("SELECT pg_advisory_unlock(hashtext('complete-job'))").catch(() => undefined);
    lock.release();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}
