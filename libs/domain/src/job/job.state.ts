import type { JobEvent, JobKind, JobStatus, JobTaskStatus } from './job.events';
import { copyWith } from '../copy-with';

export interface JobTask {
  name: string;
  status: JobTaskStatus;
  startedAt?: string;
  endedAt?: string;
  counts: Record<string, number>;
  errors: string[];
}

export type JobState =
  | { exists: false }
  | {
      exists: true;
      jobId: string;
      kind: JobKind;
      status: JobStatus;
      trigger: 'api' | 'schedule';
      startedBy?: string;
      startedAt: string;
      endedAt?: string;
      error?: string;
      tasks: JobTask[];
    };

export function initialJobState(): JobState {
  return { exists: false };
}

function updateTask(state: JobState, name: string, change: (task: JobTask) => JobTask): JobState {
  if (!state.exists) return state;
  return copyWith(state, { tasks: state.tasks.map((task) => (task.name === name ? change(task) : task)) });
}

/** Folds one job event. Pure and total. */
export function evolveJob(state: JobState, event: JobEvent): JobState {
  switch (event.type) {
    case 'JobStarted':
      if (state.exists) return state;
      return {
        exists: true,
        jobId: event.data.jobId,
        kind: event.data.kind,
        status: 'Running',
        trigger: event.data.trigger,
        startedBy: event.data.by,
        startedAt: event.data.at,
        tasks: event.data.tasks.map((name) => ({ name, status: 'Pending', counts: {}, errors: [] })),
      };
    case 'JobTaskStarted':
      return updateTask(state, event.data.task, (task) =>
        copyWith(task, { status: 'Running', startedAt: event.data.at }),
      );
    case 'JobTaskCompleted':
      return updateTask(state, event.data.task, (task) =>
        copyWith(task, {
          status: 'Completed',
          endedAt: event.data.at,
          counts: { ...event.data.counts },
          errors: [...event.data.errors],
        }),
      );
    case 'JobCompleted':
      return state.exists ? copyWith(state, { status: 'Completed', endedAt: event.data.at }) : state;
    case 'JobFailed': {
      const failed = event.data.task
        ? updateTask(state, event.data.task, (task) =>
            copyWith(task, { status: 'Failed', endedAt: event.data.at }),
          )
        : state;
      return failed.exists
        ? copyWith(failed, { status: 'Failed', endedAt: event.data.at, error: event.data.error })
        : failed;
    }
    default:
      return state;
  }
}
