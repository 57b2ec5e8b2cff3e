import type { RecordedEvent } from '@prov/event-store';
import { formatCsv } from '@prov/contracts/csv';

/** The criteria the event store cannot apply itself: who acted and when. */
export interface AuditCriteria {
  actor?: string;
  /** ISO-8601, inclusive. */
  from?: string;
  /** ISO-8601, exclusive. */
  to?: string;
}

/** When an event happened: the time the writer recorded in its metadata, else when it was stored. */
export function occurredAt(event: Pick<RecordedEvent, 'metadata' | 'createdAt'>): string {
  const at = event.metadata.occurredAt;
  return typeof at === 'string' ? new Date(at).toISOString() : event.createdAt.toISOString();
}

/** Does the event match who and when (pure)? The actor is the one in its metadata, exactly. */
export function matchesAudit(
  event: Pick<RecordedEvent, 'metadata' | 'createdAt'>,
  criteria: AuditCriteria,
): boolean {
  if (criteria.actor !== undefined && event.metadata.actor !== criteria.actor) return false;
  const at = occurredAt(event);
  if (criteria.from !== undefined && at < new Date(criteria.from).toISOString()) return false;
  if (criteria.to !== undefined && at >= new Date(criteria.to).toISOString()) return false;
  return true;
}

/** An event as the audit log shows and exports it. */
export function auditEntry(event: RecordedEvent) {
  return {
    position: String(event.position),
    streamName: event.streamName,
    revision: Number(event.revision),
    type: event.type,
    actor: typeof event.metadata.actor === 'string' ? event.metadata.actor : null,
    occurredAt: occurredAt(event),
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.createdAt.toISOString(),
  };
}

export const AUDIT_CSV_COLUMNS = [
  'position',
  'occurredAt',
  'streamName',
  'revision',
  'type',
  'actor',
  'data',
  'metadata',
] as const;

/** One CSV record (CRLF-terminated) of an entry; data and metadata as JSON. */
export function auditCsvLine(
  entry: ReturnType<typeof auditEntry> | Record<(typeof AUDIT_CSV_COLUMNS)[number], unknown>,
): string {
  return formatCsv([AUDIT_CSV_COLUMNS.map((column) => (entry as Record<string, unknown>)[column])]);
}
