import { useMutation } from '@tanstack/react-query';
import { ApiError, get, post } from '../api/client';
import type { ReplayStatus } from '../api/types';
import { Alert } from '../components/Alert';
import { StatusBadge } from '../components/StateBadge';
import { formatDateTime, formatDuration } from '../format';
import { useApiQuery } from '../hooks/use-api-query';

/** Audit replay (administrators): rebuild every read model from the event log, and its progress. */
export function ReplayPanel() {
  const status = useApiQuery(
    ['/admin/replay'],
    async (signal) => {
      try {
        return await get<ReplayStatus>('/admin/replay', signal);
      } catch (caught) {
        if (caught instanceof ApiError && caught.status === 404) return null;
        throw caught;
      }
    },
    { live: ['assignment-', 'identity-', 'job-', 'sync-'] },
  );
  const replay = status.data;
  const running = replay?.status === 'Running';

  const start = useMutation({ mutationFn: () => post('/admin/replay'), onSuccess: status.reload });

  return (
    <section className="panel" aria-labelledby="replay-heading">
      <h2 id="replay-heading">Audit replay</h2>
      <p className="muted small">
        Rebuilds every read model from the event log aside, then swaps it in: the rebuilt views must equal the
        live ones.
      </p>
      <Alert error={start.error ?? status.error} />
      <p aria-live="polite">
        {replay ? (
          <>
            Last replay <StatusBadge status={replay.status} /> started {formatDateTime(replay.startedAt)}:{' '}
            {replay.eventsHandled} events,{' '}
            {replay.endedAt
              ? `took ${formatDuration(replay.startedAt, replay.endedAt)}`
              : `phase ${replay.phase}`}
            {replay.error && <span className="error-text"> — {replay.error}</span>}
          </>
        ) : status.loading ? (
          'Loading…'
        ) : (
          'No replay has run yet.'
        )}
      </p>
      <button
        type="button"
        className="button secondary"
        onClick={() => start.mutate()}
        disabled={start.isPending || running}
      >
        {start.isPending ? 'Starting…' : running ? 'Replay running' : 'Start audit replay'}
      </button>
    </section>
  );
}
