// From the core (what react-query re-exports): without React's types, the Node-side unit test stays DOM-free.
import type { Query, QueryClient } from '@tanstack/query-core';

/** One read-model change as the gateway's `/api/events` stream announces it. */
export interface LiveChange {
  schema: string;
  streamNames: string[];
  type: string;
  truncated: boolean;
}

/** Which changes a view cares about: stream name prefixes (`assignment-`, `job-`, ...). */
export type Relevance = readonly string[];

export function isRelevant(changes: LiveChange[], relevance: Relevance): boolean {
  return changes.some(
    (change) =>
      change.truncated ||
      change.streamNames.some((name) => relevance.some((prefix) => name.startsWith(prefix))),
  );
}

/** The stream prefixes a cached query follows (`meta.live` of `useApiQuery`), or null. */
function liveOf(query: Query): Relevance | null {
  const live = query.meta?.live;
  return Array.isArray(live) ? (live as Relevance) : null;
}

/**
 * Marks stale the cached queries that follow one of the changed streams ('all': every live
 * query, after a reconnect); TanStack Query refetches those on screen, the others when next shown.
 */
export function invalidateLiveQueries(
  queryClient: QueryClient,
  changes: LiveChange[] | 'all',
): Promise<void> {
  return queryClient.invalidateQueries({
    predicate: (query) => {
      const live = liveOf(query);
      return live !== null && (changes === 'all' || isRelevant(changes, live));
    },
  });
}
