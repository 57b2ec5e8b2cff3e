import type { HistoryEvent } from '../api/types';
import { eventLabel } from '../api/states';
import { formatDateTime } from '../format';
import { StateBadge } from './StateBadge';

/** Who acted: the person or service recorded on the event. */
export function actorOf(event: HistoryEvent): string {
  const by = event.data.by ?? event.metadata.actor ?? event.data.reportedBy;
  return typeof by === 'string' && by ? by : 'system';
}

/** Why: the comment, the error, or what the event says about itself. */
export function reasonOf(event: Pick<HistoryEvent, 'type' | 'data'>): string | undefined {
  const d = event.data;
  const parts: string[] = [];
  if (typeof d.comment === 'string' && d.comment) parts.push(d.comment);
  if (typeof d.error === 'string' && d.error) parts.push(d.error);
  if (event.type === 'ProvisioningOrderGenerated' && typeof d.outcome === 'string') {
    parts.push(
      `${String(d.changeType ?? '')} on ${String(d.connectionId ?? '?')}: ${d.outcome.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`,
    );
  }
  if (event.type === 'ProvisioningOrderSuperseded' && typeof d.reason === 'string')
    parts.push(`superseded: ${d.reason.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`);
  if (event.type === 'ProvisioningOrderPostponed' && typeof d.until === 'string')
    parts.push(`until ${formatDateTime(d.until)}`);
  if (event.type === 'ProvisioningOrderRetried' && d.automatic === true)
    parts.push('automatic retry (retry policy)');
  if (typeof d.reportedBy === 'string') parts.push(`reported by ${d.reportedBy}`);
  return parts.length ? parts.join(' — ') : undefined;
}

/** When it happened: the transition's own time, else when it was recorded. */
export function whenOf(event: HistoryEvent): string {
  const at = event.data.at ?? event.metadata.occurredAt;
  return typeof at === 'string' ? at : event.recordedAt;
}

/** An assignment's history as a timeline: each event with who, when and why. */
export function Timeline({ events, label }: { events: HistoryEvent[]; label: string }) {
  return (
    <ol className="timeline" aria-label={label}>
      {events.map((event) => {
        const code = event.data.provisioningStateCode;
        const name = event.data.provisioningState;
        const reason = reasonOf(event);
        return (
          <li key={event.eventId} className="timeline-item" data-event-type={event.type}>
            <div className="timeline-head">
              <strong>{eventLabel(event.type)}</strong>
              {typeof code === 'number' && typeof name === 'string' && <StateBadge code={code} name={name} />}
            </div>
            <p className="timeline-meta">
              <time dateTime={whenOf(event)}>{formatDateTime(whenOf(event))}</time> · by{' '}
              <span className="actor">{actorOf(event)}</span>
              {typeof event.data.attempt === 'number' && event.data.attempt > 1 && (
                <> · attempt {event.data.attempt}</>
              )}
            </p>
            {reason && <p className="timeline-reason">{reason}</p>}
          </li>
        );
      })}
    </ol>
  );
}
