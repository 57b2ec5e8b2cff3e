import type { Decider } from '../decider';
import { DomainError } from '../errors';
import type { JobEvent, JobKind } from './job.events';
import { evolveJob, initialJobState, type JobState } from './job.state';

export type JobCommand =
  | {
      type: 'StartJob';
      jobId: string;
      kind: JobKind;
      tasks: string[];
      trigger: 'api' | 'schedule';
      now: Date;
      actor?: string;
    }
  | { type: 'StartJobTask'; jobId: string; task: string; now: Date }
  | {
      type: 'CompleteJobTask';
      jobId: string;
      task: string;
      counts: Record<string, number>;
      errors: string[];
      now: Date;
    }
  | { type: 'CompleteJob'; jobId: string; now: Date }
  | { type: 'FailJob'; jobId: string; error: string; task?: string; now: Date };

export class JobStateError extends DomainError {
  override readonly name = 'JobStateError';
  constructor(message: string) {
    super('JOB_STATE', message);
  }
}

export const jobStreamName = (jobId: string): string => `job-${jobId}`;

/** A job moves forwards only: tasks in the order they were declared, each once. */
export function decideJob(command: JobCommand, state: JobState): JobEvent[] {
  const at = command.now.toISOString();
  if (command.type === 'StartJob') {
    if (state.exists) return [];
    if (command.tasks.length === 0) throw new JobStateError('cannot StartJob: a job needs at least one task');
    return [
      {
        type: 'JobStarted',
        data: {
          jobId: command.jobId,
          kind: command.kind,
          tasks: [...command.tasks],
          at,
          by: command.actor,
          trigger: command.trigger,
        },
      },
    ];
  }
  if (!state.exists) throw new JobStateError(`cannot ${command.type}: job ${command.jobId} does not exist`);
  if (state.status !== 'Running') {
    throw new JobStateError(`cannot ${command.type}: job ${command.jobId} is ${state.status}`);
  }
  switch (command.type) {
    case 'StartJobTask': {
      const task = state.tasks.find((t) => t.name === command.task);
      if (!task)
        throw new JobStateError(`cannot StartJobTask: job ${command.jobId} has no task '${command.task}'`);
      if (task.status !== 'Pending') return [];
      return [{ type: 'JobTaskStarted', data: { jobId: command.jobId, task: command.task, at } }];
    }
    case 'CompleteJobTask': {
      const task = state.tasks.find((t) => t.name === command.task);
      if (!task || task.status !== 'Running') {
        throw new JobStateError(
          `cannot CompleteJobTask: task '${command.task}' of job ${command.jobId} is not running`,
        );
      }
      return [
        {
          type: 'JobTaskCompleted',
          data: {
            jobId: command.jobId,
            task: command.task,
            at,
            counts: { ...command.counts },
            errors: [...command.errors],
          },
        },
      ];
    }
    case 'CompleteJob':
      return [{ type: 'JobCompleted', data: { jobId: command.jobId, at } }];
    case 'FailJob':
      return [
        { type: 'JobFailed', data: { jobId: command.jobId, at, error: command.error, task: command.task } },
      ];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

export const jobDecider: Decider<JobState, JobCommand, JobEvent> = {
  decide: decideJob,
  evolve: evolveJob,
  initialState: initialJobState,
};
