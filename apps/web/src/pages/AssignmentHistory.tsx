import { get } from '../api/client';
import type { HistoryEvent } from '../api/types';
import { Alert, Loading } from '../components/Alert';
import { Timeline } from '../components/Timeline';
import { useApiQuery } from '../hooks/use-api-query';

/** The history timeline of one assignment, kept current by the live stream. */
export function AssignmentHistory({ assignmentId, label }: { assignmentId: string; label: string }) {
  const path = `/assignments/${encodeURIComponent(assignmentId)}/history`;
  const history = useApiQuery([path], (signal) => get<HistoryEvent[]>(path, signal), {
    live: [`assignment-${assignmentId}`],
  });
  if (history.loading) return <Loading what="the history" />;
  return (
    <>
      <Alert error={history.error} />
      {history.data && <Timeline events={history.data} label={label} />}
    </>
  );
}
