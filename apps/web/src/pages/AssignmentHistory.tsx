import { get } from '../api/client';
import type { HistoryEvent } from '../api/types';
import { Alert, Loading } from '../components/Alert';
import { Timeline } from '../components/Timeline';
import { useResource } from '../hooks/use-resource';

/** The history timeline of one assignment, kept current by the live stream. */
export function AssignmentHistory({ assignmentId, label }: { assignmentId: string; label: string }) {
  const history = useResource(
    (signal) => get<HistoryEvent[]>(`/assignments/${encodeURIComponent(assignmentId)}/history`, signal),
    [assignmentId],
    { live: [`assignment-${assignmentId}`] },
  );
  if (history.loading) return <Loading what="the history" />;
  return (
    <>
      <Alert error={history.error} />
      {history.data && <Timeline events={history.data} label={label} />}
    </>
  );
}
