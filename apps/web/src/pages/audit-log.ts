import { get, getText, query } from '../api/client';
import type { AuditEvent, AuditLogPage } from '../api/types';
import { localInputToIso } from '../format';

/** The audit log's filters as the form holds them (times as `datetime-local` values). */
export interface AuditFilter {
  stream: string;
  type: string;
  actor: string;
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilter = { stream: '', type: '', actor: '', from: '', to: '' };

/** Events per page of the log, as offered; the API takes up to 1,000. */
export const AUDIT_PAGE_SIZES = [10, 50, 200] as const;

/** The API's query parameters for a filter (empty ones left out, times as ISO-8601). */
function criteria(filter: AuditFilter): Record<string, string | undefined> {
  return {
    stream: filter.stream.trim(),
    type: filter.type.trim(),
    actor: filter.actor.trim(),
    from: localInputToIso(filter.from),
    to: localInputToIso(filter.to),
  };
}

/** One page of `GET /api/audit/events`, starting after the cursor (null: from the first event). */
export function loadAuditPage(filter: AuditFilter, after: string | null, limit: number, signal: AbortSignal) {
  return get<AuditLogPage>(`/audit/events${query({ ...criteria(filter), after, limit })}`, signal);
}

/** The whole filtered log as the API exports it (`GET /api/audit/events/export`). */
export function exportAuditLog(filter: AuditFilter, format: 'jsonl' | 'csv'): Promise<string> {
  return getText(`/audit/events/export${query({ ...criteria(filter), format })}`);
}

/** The assignment an event belongs to, when it is one of an assignment's. */
export function assignmentOf(event: Pick<AuditEvent, 'streamName'>): string | undefined {
  return event.streamName.startsWith('assignment-')
    ? event.streamName.slice('assignment-'.length)
    : undefined;
}

/** The identity an event names, when it names one (its stream, or its data). */
export function identityOf(event: Pick<AuditEvent, 'streamName' | 'data'>): string | undefined {
  if (event.streamName.startsWith('identity-')) return event.streamName.slice('identity-'.length);
  const id = event.data.identityId;
  return typeof id === 'string' ? id : undefined;
}

/** Filters from the page's address: `/audit?stream=assignment-…` opens the log of one stream. */
export function filterFromParams(params: URLSearchParams): AuditFilter {
  return {
    ...EMPTY_AUDIT_FILTER,
    stream: params.get('stream') ?? '',
    type: params.get('type') ?? '',
    actor: params.get('actor') ?? '',
  };
}
