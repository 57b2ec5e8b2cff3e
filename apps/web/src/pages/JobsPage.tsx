import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../api/client';
import type { Job } from '../api/types';
import { Alert, ListStates } from '../components/Alert';
import { PageHeader } from '../components/PageHeader';
import { StatusBadge } from '../components/StateBadge';
import { DataTable } from '../components/DataTable';
import { formatDateTime, formatDuration, shortId } from '../format';
import { useApiQuery } from '../hooks/use-api-query';
import { useSession } from '../session/session';
import { JobTasks, justStarted } from './JobTasks';

/** Job Execution: start the complete job, watch its tasks live, look at past runs. */
export function JobsPage() {
  const { can, session } = useSession();
  const jobs = useApiQuery(['/jobs'], (signal) => get<Job[]>('/jobs', signal), { live: ['job-'] });
  const [chosen, setChosen] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [started, setStarted] = useState<Job | null>(null);

  const list = jobs.data ?? [];
  const running = list.find((job) => job.status === 'Running');
  // The job just started stands in until the read model has it.
  const pending = started && !list.some((job) => job.jobId === started.jobId) ? started : undefined;
  const shown = list.find((job) => job.jobId === chosen) ?? pending ?? running ?? list[0];

  const start = useMutation({
    mutationFn: () => post<{ jobId: string }>('/jobs/complete'),
    onMutate: () => setNotice(null),
    onSuccess: ({ jobId }) => {
      setChosen(jobId);
      setStarted(justStarted(jobId, session?.actor));
      setNotice(`Complete job ${shortId(jobId)} started. Its tasks update below as they progress.`);
      jobs.reload();
    },
  });

  return (
    <>
      <PageHeader
        title="Job Execution"
        description="The complete job synchronizes every connection, evaluates the role model for everyone, fulfils the orders and verifies them."
      >
        {can.startJobs ? (
          <button
            type="button"
            className="button primary"
            onClick={() => start.mutate()}
            disabled={start.isPending || Boolean(running ?? pending)}
          >
            {start.isPending
              ? 'Starting…'
              : (running ?? pending)
                ? 'A job is running'
                : 'Start the complete job'}
          </button>
        ) : (
          <p className="muted small">Operators start jobs.</p>
        )}
      </PageHeader>
      <div aria-live="polite">
        {notice && (
          <Alert kind="success" onDismiss={() => setNotice(null)}>
            {notice}
          </Alert>
        )}
      </div>
      <Alert error={start.error} onDismiss={start.reset} />
      <Alert error={jobs.error} />
      <ListStates
        loading={jobs.loading}
        what="jobs"
        isEmpty={list.length === 0 && !pending}
        empty="No job has run yet."
      >
        {() => (
          <>
            {shown && <JobTasks job={shown} />}
            <h2>Runs</h2>
            <DataTable
              caption="Job runs, newest first"
              columns={[
                'Started',
                'Status',
                'Trigger',
                'Duration',
                'Tasks',
                <span className="visually-hidden">Show</span>,
              ]}
            >
              {list.map((job) => (
                <tr
                  key={job.jobId}
                  data-job-id={job.jobId}
                  className={job.jobId === shown?.jobId ? 'selected' : undefined}
                >
                  <th scope="row" data-label="Started">
                    {formatDateTime(job.startedAt)}
                  </th>
                  <td data-label="Status">
                    <StatusBadge status={job.status} />
                  </td>
                  <td data-label="Trigger">
                    {job.trigger === 'schedule' ? 'schedule' : `API (${job.startedBy ?? '?'})`}
                  </td>
                  <td data-label="Duration">
                    {job.endedAt ? formatDuration(job.startedAt, job.endedAt) : 'running'}
                  </td>
                  <td data-label="Tasks">
                    {job.tasks.filter((t) => t.status === 'Completed').length}/{job.tasks.length} completed
                  </td>
                  <td data-label="Show">
                    <button
                      type="button"
                      className="button secondary small"
                      aria-pressed={job.jobId === shown?.jobId}
                      onClick={() => setChosen(job.jobId)}
                    >
                      Show tasks
                      <span className="visually-hidden">
                        {' '}
                        of the run started {formatDateTime(job.startedAt)}
                      </span>
                    </button>
                  </td>
                </tr>
              ))}
            </DataTable>
          </>
        )}
      </ListStates>
    </>
  );
}
