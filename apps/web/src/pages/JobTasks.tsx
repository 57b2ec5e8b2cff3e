import type { Job } from '../api/types';
import { StatusBadge } from '../components/StateBadge';
import { formatDateTime, formatDuration } from '../format';

const TASK_LABELS: Record<string, string> = {
  'evaluate-role-model': 'Evaluate the role model for everyone',
  fulfil: 'Fulfil orders and wait for the agents',
  synchronize: 'Synchronize every readable connection',
  verify: 'Verify what was written, check validity periods',
  'report-drift': 'Report non-conforming resources',
};

/**
 * A complete job the console has just started, before the read model has it: its tasks, in the
 * order the job runs them, all Pending. Without it the page kept showing the previous run until the
 * new one was projected, and a job shorter than that was never seen running at all.
 */
export function justStarted(jobId: string, startedBy: string | undefined): Job {
  return {
    jobId,
    kind: 'complete',
    status: 'Running',
    trigger: 'api',
    startedBy,
    startedAt: new Date().toISOString(),
    tasks: Object.keys(TASK_LABELS).map((name) => ({ name, status: 'Pending', counts: {}, errors: [] })),
  };
}

/** One job run: its overall progress and each task with its status, counts and errors. */
export function JobTasks({ job }: { job: Job }) {
  const finished = job.tasks.filter((task) => task.status === 'Completed' || task.status === 'Failed').length;
  return (
    <section
      className="job"
      aria-labelledby={`job-${job.jobId}`}
      data-job-id={job.jobId}
      data-job-status={job.status}
    >
      <div className="job-head">
        <h2 id={`job-${job.jobId}`}>
          {job.kind === 'complete' ? 'Complete job' : job.kind} <StatusBadge status={job.status} />
        </h2>
        <p className="muted small">
          Started {formatDateTime(job.startedAt)} (
          {job.trigger === 'schedule' ? 'on schedule' : `by ${job.startedBy ?? 'the API'}`}) ·{' '}
          {job.endedAt
            ? `took ${formatDuration(job.startedAt, job.endedAt)}`
            : `running for ${formatDuration(job.startedAt)}`}
        </p>
      </div>
      <label className="progress-label" htmlFor={`progress-${job.jobId}`} aria-live="polite">
        {finished} of {job.tasks.length} tasks finished
        {job.status !== 'Running' ? ` · job ${job.status.toLowerCase()}` : ''}
      </label>
      <progress id={`progress-${job.jobId}`} max={job.tasks.length} value={finished} />
      {job.error && <p className="error-text">The job failed: {job.error}</p>}
      <ol className="tasks" aria-label="Tasks">
        {job.tasks.map((task) => (
          <li
            key={task.name}
            className={`task task-${task.status.toLowerCase()}`}
            data-task={task.name}
            data-task-status={task.status}
          >
            <div className="task-head">
              <span className="strong">{TASK_LABELS[task.name] ?? task.name}</span>
              <StatusBadge status={task.status} />
            </div>
            <p className="muted small">
              {task.startedAt
                ? task.endedAt
                  ? `took ${formatDuration(task.startedAt, task.endedAt)}`
                  : 'in progress'
                : 'not started'}
              {Object.keys(task.counts ?? {}).length > 0 && (
                <>
                  {' · '}
                  {Object.entries(task.counts)
                    .map(
                      ([key, value]) => `${key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}: ${value}`,
                    )
                    .join(', ')}
                </>
              )}
            </p>
            {task.errors?.length > 0 && (
              <ul className="error-text small">
                {task.errors.map((error, index) => (
                  <li key={index}>{error}</li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
