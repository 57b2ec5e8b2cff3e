import { useEffect, useState } from 'react';
import { eventLabel } from '../api/states';
import { Alert, ListStates } from '../components/Alert';
import { StateBadge } from '../components/StateBadge';
import { reasonOf } from '../components/Timeline';
import { DataTable } from '../components/DataTable';
import { Pager } from '../components/Pager';
import { downloadText, formatDateTime, shortId } from '../format';
import { useApiQuery } from '../hooks/use-api-query';
import { useLive } from '../live/live-events';
import { Link } from '../router';
import { AuditFilters } from './AuditFilters';
import {
  AUDIT_PAGE_SIZES,
  type AuditFilter,
  assignmentOf,
  exportAuditLog,
  identityOf,
  loadAuditPage,
} from './audit-log';

const EXPORT_FORMATS = [
  { format: 'jsonl', label: 'Export JSON lines' },
  { format: 'csv', label: 'Export CSV' },
] as const;

/**
 * The event log (`GET /api/audit/events`) in commit order, filtered by stream, type, actor and
 * time, a page at a time: the API pages forward with a cursor, so the previous pages' cursors
 * are kept to go back. New events are offered, not pushed into the list under the reader's eyes.
 */
export function AuditLog({
  initialFilter,
  onStateAfter,
}: {
  initialFilter: AuditFilter;
  onStateAfter(assignmentId: string, instant: string): void;
}) {
  const { subscribe } = useLive();
  const [filter, setFilter] = useState(initialFilter);
  // cursors[i] is where page i starts (null: the first event); the last one is the page shown.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const [pageSize, setPageSize] = useState<number>(50);
  const [changedAt, setChangedAt] = useState(0);
  const [exporting, setExporting] = useState<'jsonl' | 'csv' | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  const log = useApiQuery(
    ['/audit/events', filter, after, pageSize],
    (signal) => loadAuditPage(filter, after, pageSize, signal),
    { live: null },
  );

  useEffect(() => subscribe([''], () => setChangedAt(Date.now())), [subscribe]);
  // Stale: a change arrived after the page shown was fetched.
  const stale = changedAt > log.loadedAt;

  const choose = (next: AuditFilter) => {
    setFilter(next);
    setCursors([null]);
  };
  const download = async (format: 'jsonl' | 'csv') => {
    setExporting(format);
    setExportError(null);
    try {
      const text = await exportAuditLog(filter, format);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      downloadText(
        `audit-log-${stamp}.${format}`,
        text,
        format === 'csv' ? 'text/csv;charset=utf-8' : 'application/x-ndjson;charset=utf-8',
      );
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(null);
    }
  };

  const page = log.data;
  const events = page?.events ?? [];
  return (
    <section className="panel" aria-labelledby="log-heading">
      <h2 id="log-heading">Event log</h2>
      <AuditFilters value={filter} onChange={choose} />
      <div className="toolbar">
        {EXPORT_FORMATS.map(({ format, label }) => (
          <button
            key={format}
            type="button"
            className="button secondary small"
            disabled={exporting !== null}
            onClick={() => download(format)}
          >
            {exporting === format ? 'Exporting…' : label}
          </button>
        ))}
        <span className="muted small">the whole filtered log, every page</span>
        <label className="small" htmlFor="audit-page-size">
          Per page
        </label>
        <select
          id="audit-page-size"
          value={pageSize}
          onChange={(e) => {
            setPageSize(Number(e.target.value));
            setCursors([null]);
          }}
        >
          {AUDIT_PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </div>
      <Alert error={exportError} />
      <div aria-live="polite">
        {stale && page?.end && (
          <div className="alert alert-info" role="status">
            <span className="alert-text">New events were recorded since this page was loaded.</span>
            <button type="button" className="button secondary small" onClick={log.reload}>
              Show new events
            </button>
          </div>
        )}
      </div>
      <Alert error={log.error} />
      <ListStates
        loading={log.loading}
        what="the event log"
        isEmpty={events.length === 0}
        empty={
          page && !page.end
            ? 'No matching event in this stretch of the log; the next page reads on.'
            : cursors.length > 1
              ? 'No more events match these filters.'
              : 'No event matches these filters.'
        }
      >
        {() => (
          <DataTable
            caption={<>Event log, in the order recorded, page {cursors.length}</>}
            columns={['When', 'Event', 'Stream', 'Who', 'Why', 'Assignment']}
          >
            {events.map((event) => {
              const code = event.data.provisioningStateCode;
              const name = event.data.provisioningState;
              const assignmentId = assignmentOf(event);
              const identityId = identityOf(event);
              return (
                <tr
                  key={event.position}
                  data-position={event.position}
                  data-event-type={event.type}
                  data-stream={event.streamName}
                >
                  <th scope="row" data-label="When">
                    <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt)}</time>
                  </th>
                  <td data-label="Event">
                    <span className="block">{eventLabel(event.type)}</span>
                    {typeof code === 'number' && typeof name === 'string' && (
                      <StateBadge code={code} name={name} />
                    )}
                  </td>
                  <td data-label="Stream" className="small">
                    <code title={event.streamName}>
                      {event.streamName.length > 40 ? `${event.streamName.slice(0, 37)}…` : event.streamName}
                    </code>
                    <span className="muted"> #{event.revision}</span>
                    {identityId && (
                      <span className="block">
                        <Link to={`/identities/${encodeURIComponent(identityId)}`}>{identityId}</Link>
                        {typeof event.data.entitlementId === 'string' && ` · ${event.data.entitlementId}`}
                      </span>
                    )}
                  </td>
                  <td data-label="Who">{event.actor ?? 'system'}</td>
                  <td data-label="Why" className="wrap small">
                    {reasonOf(event) ?? '—'}
                  </td>
                  <td data-label="Assignment">
                    {assignmentId ? (
                      <span className="row-actions">
                        <Link to={`/assignments/${assignmentId}`}>
                          Explain
                          <span className="visually-hidden"> assignment {shortId(assignmentId)}</span>
                        </Link>
                        <button
                          type="button"
                          className="button-link"
                          onClick={() => onStateAfter(assignmentId, event.occurredAt)}
                        >
                          State after this event
                          <span className="visually-hidden"> (assignment {shortId(assignmentId)})</span>
                        </button>
                      </span>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </ListStates>
      <Pager
        label="Pages of the event log"
        names={['Previous page', 'Next page']}
        small
        onPrevious={cursors.length === 1 ? undefined : () => setCursors((c) => c.slice(0, -1))}
        onNext={page && !page.end && page.next ? () => setCursors((c) => [...c, page.next]) : undefined}
      >
        <span className="muted small" aria-live="polite">
          Page {cursors.length}
          {page?.end ? ' (end of the log)' : ''}
        </span>
      </Pager>
    </section>
  );
}
