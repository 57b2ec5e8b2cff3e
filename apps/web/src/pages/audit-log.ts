import { get, query } from '../api/client';
import type { Assignment, HistoryEvent } from '../api/types';
import { whenOf } from '../components/Timeline';
import { localInputToIso } from '../format';
import { runBatch } from '../hooks/use-selection';

export interface AuditFilter {
  identityId: string;
  entitlementId: string;
  provisioningState: string;
  eventType: string;
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilter = {
  identityId: '',
  entitlementId: '',
  provisioningState: '',
  eventType: '',
  from: '',
  to: '',
};

export interface AuditEntry {
  event: HistoryEvent;
  assignment: Assignment;
  at: string;
}

/** How many assignments' histories one search reads (the newest first). */
export const AUDIT_ASSIGNMENT_LIMIT = 50;

/**
 * The event log for a filter, from the API alone: the assignments that match (identity,
 * entitlement, current state), then each one's history, merged newest first and filtered by
 * event type and time.
 */
export async function loadAuditLog(
  filter: AuditFilter,
  signal: AbortSignal,
): Promise<{ entries: AuditEntry[]; assignments: number; limited: boolean }> {
  const assignments = await get<Assignment[]>(
    `/assignments${query({
      identityId: filter.identityId.trim(),
      entitlementId: filter.entitlementId,
      provisioningState: filter.provisioningState,
      limit: AUDIT_ASSIGNMENT_LIMIT + 1,
    })}`,
    signal,
  );
  const limited = assignments.length > AUDIT_ASSIGNMENT_LIMIT;
  const chosen = assignments.slice(0, AUDIT_ASSIGNMENT_LIMIT);
  const histories = new Map<string, HistoryEvent[]>();
  const outcome = await runBatch(
    chosen.map((a) => a.assignmentId),
    async (id) => histories.set(id, await get<HistoryEvent[]>(`/assignments/${id}/history`, signal)),
    6,
  );
  if (outcome.failed.length && outcome.succeeded.length === 0) throw outcome.failed[0].error;
  const from = localInputToIso(filter.from);
  const to = localInputToIso(filter.to);
  const entries: AuditEntry[] = [];
  for (const assignment of chosen) {
    for (const event of histories.get(assignment.assignmentId) ?? []) {
      const at = whenOf(event);
      if (filter.eventType && event.type !== filter.eventType) continue;
      if (from && at < from) continue;
      if (to && at > to) continue;
      entries.push({ event, assignment, at });
    }
  }
  entries.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.event.revision - a.event.revision));
  return { entries, assignments: chosen.length, limited };
}
