import { evolveJob, initialJobState, type JobEvent, type JobState } from '@prov/domain';
import { type Projection, streamId } from './projection';

const PREFIX = 'job-';

/** Job runs with their task progress (the Job Execution page). */
export const jobProjection: Projection = {
  name: 'jobs',
  streamPrefixes: [PREFIX],
  byStream: {},
  async apply(client, schema, event) {
    const jobId = streamId(event.streamName, PREFIX);
    const { rows } = await client.query<{ state: JobState; revision: string }>(
      `SELECT jsonb_build_object('exists', true, 'jobId', job_id, 'kind', kind, 'status', status, 'tasks', tasks,
              'startedAt', started_at, 'endedAt', ended_at, 'error', error, 'trigger', trigger, 'startedBy', started_by) AS state,
              revision
         FROM ${schema}.jobs WHERE job_id = $1 FOR UPDATE`,
      [jobId],
    );
    if (rows[0] && BigInt(rows[0].revision) >= event.revision) return;
    const next = evolveJob(rows[0]?.state ?? initialJobState(), {
      type: event.type,
      data: event.data,
    } as JobEvent);
    if (!next.exists) return;
    await client.query(
      `INSERT INTO ${schema}.jobs (job_id, kind, status, tasks, started_at, ended_at, error, trigger, started_by, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (job_id) DO UPDATE SET status = EXCLUDED.status, tasks = EXCLUDED.tasks,
         ended_at = EXCLUDED.ended_at, error = EXCLUDED.error, revision = EXCLUDED.revision`,
      [
        jobId,
        next.kind,
        next.status,
        JSON.stringify(next.tasks),
        next.startedAt,
        next.endedAt ?? null,
        next.error ?? null,
        next.trigger,
        next.startedBy ?? null,
        event.revision.toString(),
      ],
    );
  },
};
