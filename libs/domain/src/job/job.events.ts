/**
 * Events of a job run, stream `job-<jobId>`: the complete job (synchronize, evaluate the role
 * model, fulfil, synchronize, verify) records each task's start and end with its counts, so
 * the Job Execution page can show progress and the run is part of the audit trail.
 */
export type JobKind = 'complete';
export type JobStatus = 'Running' | 'Completed' | 'Failed';
export type JobTaskStatus = 'Pending' | 'Running' | 'Completed' | 'Failed';

export interface JobStarted {
  type: 'JobStarted';
  data: {
    jobId: string;
    kind: JobKind;
    tasks: string[];
    at: string;
    by?: string;
    trigger: 'api' | 'schedule';
  };
}

export interface JobTaskStarted {
  type: 'JobTaskStarted';
  data: { jobId: string; task: string; at: string };
}

export interface JobTaskCompleted {
  type: 'JobTaskCompleted';
  data: {
    jobId: string;
    task: string;
    at: string;
    counts: Record<string, number>;
    errors: string[];
  };
}

export interface JobCompleted {
  type: 'JobCompleted';
  data: { jobId: string; at: string };
}

export interface JobFailed {
  type: 'JobFailed';
  data: { jobId: string; at: string; error: string; task?: string };
}

export type JobEvent = JobStarted | JobTaskStarted | JobTaskCompleted | JobCompleted | JobFailed;

export const JOB_EVENT_TYPES: readonly JobEvent['type'][] = [
  'JobStarted',
  'JobTaskStarted',
  'JobTaskCompleted',
  'JobCompleted',
  'JobFailed',
];
