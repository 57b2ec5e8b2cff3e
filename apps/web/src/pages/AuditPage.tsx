import { useEffect, useState } from 'react';
import { eventLabel } from '../api/states';
import { Alert, Empty, Loading } from '../components/Alert';
import { PageHeader } from '../components/PageHeader';
import { StateBadge } from '../components/StateBadge';
import { actorOf, reasonOf } from '../components/Timeline';
import { formatDateTime, shortId } from '../format';
import { useEntitlements } from '../hooks/use-catalog';
import { useResource } from '../hooks/use-resource';
import { useLive } from '../live/live-events';
import { Link, useRouter } from '../router';
import { useSession } from '../session/session';
import { AsOfPanel } from './AsOfPanel';
import { AuditFilters } from './AuditFilters';
import { PermissionsAsOfPanel } from './PermissionsAsOfPanel';
import { AUDIT_ASSIGNMENT_LIMIT, type AuditFilter, EMPTY_AUDIT_FILTER, loadAuditLog } from './audit-log';
import { ReplayPanel } from './ReplayPanel';

/**
 * Audit: the event log with filters (newest first; new events are offered, not pushed into the
 * list under the reader's eyes), an assignment's state as of an instant, and audit replay.
 */
export function AuditPage() {
  const { can } = useSession();
  const { params } = useRouter();
  const { subscribe } = useLive();
  const [filter, setFilter] = useState<AuditFilter>(EMPTY_AUDIT_FILTER);
  const [stale, setStale] = useState(false);
  const [preset, setPreset] = useState<{ assignmentId: string; instant?: string } | null>(() => {
    const assignment = params.get('assignment');
    return assignment ? { assignmentId: assignment, instant: params.get('asOf') ?? undefined } : null;
  });
  const entitlements = useEntitlements();
  const log = useResource((signal) => loadAuditLog(filter, signal), [filter], { live: null });

  useEffect(() => subscribe(['assignment-'], () => setStale(true)), [subscribe]);
  useEffect(() => setStale(false), [log.loadedAt]);

  const entries = log.data?.entries ?? [];
  return (
    <>
      <PageHeader
        title="Audit"
        description="Every event of the assignments, who did it, when and why; and any assignment as it was at an earlier instant."
      />
      <AsOfPanel preset={preset} />
      <PermissionsAsOfPanel />
      <section className="panel" aria-labelledby="log-heading">
        <h2 id="log-heading">Event log</h2>
        <AuditFilters entitlements={entitlements.data ?? []} value={filter} onChange={setFilter} />
        <div aria-live="polite">
          {stale && (
            <div className="alert alert-info" role="status">
              <span className="alert-text">New events were recorded since this list was loaded.</span>
              <button type="button" className="button secondary small" onClick={log.reload}>
                Show new events
              </button>
            </div>
          )}
        </div>
        <Alert error={log.error} />
        {log.loading ? (
          <Loading what="the event log" />
        ) : entries.length === 0 ? (
          <Empty>No event matches these filters.</Empty>
        ) : (
          <>
            <p className="muted small">
              {entries.length} events of {log.data?.assignments} assignments
              {log.data?.limited
                ? ` (the ${AUDIT_ASSIGNMENT_LIMIT} most recently requested; narrow the filters to see others)`
                : ''}
              .
            </p>
            <div className="table-scroll">
              <table className="data-table responsive">
                <caption className="visually-hidden">Event log, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Event</th>
                    <th scope="col">Identity</th>
                    <th scope="col">Entitlement</th>
                    <th scope="col">Who</th>
                    <th scope="col">Why</th>
                    <th scope="col">Assignment</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map(({ event, assignment, at }) => {
                    const code = event.data.provisioningStateCode;
                    const name = event.data.provisioningState;
                    return (
                      <tr key={event.eventId} data-event-type={event.type}>
                        <th scope="row" data-label="When">
                          <time dateTime={at}>{formatDateTime(at)}</time>
                        </th>
                        <td data-label="Event">
                          <span className="block">{eventLabel(event.type)}</span>
                          {typeof code === 'number' && typeof name === 'string' && (
                            <StateBadge code={code} name={name} />
                          )}
                        </td>
                        <td data-label="Identity">
                          <Link to={`/identities/${encodeURIComponent(assignment.identityId)}`}>
                            {assignment.identityId}
                          </Link>
                        </td>
                        <td data-label="Entitlement">{assignment.entitlementId}</td>
                        <td data-label="Who">{actorOf(event)}</td>
                        <td data-label="Why" className="wrap small">
                          {reasonOf(event) ?? '—'}
                        </td>
                        <td data-label="Assignment">
                          <button
                            type="button"
                            className="button-link"
                            onClick={() => {
                              setPreset({ assignmentId: assignment.assignmentId, instant: at });
                              document.getElementById('as-of-heading')?.scrollIntoView({ block: 'start' });
                            }}
                          >
                            State after this event
                            <span className="visually-hidden">
                              {' '}
                              (assignment {shortId(assignment.assignmentId)})
                            </span>
                          </button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
      {can.replay && <ReplayPanel />}
    </>
  );
}
