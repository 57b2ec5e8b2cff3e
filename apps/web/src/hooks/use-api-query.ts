import { type QueryKey, useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { get } from '../api/client';
import type { Assignment } from '../api/types';
import type { Relevance } from '../live/live-events';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  /** True only while nothing is shown yet for this key: refetches keep showing the data. */
  loading: boolean;
  /** When the data was last fetched (ms since the epoch; 0 before). */
  loadedAt: number;
  reload(): void;
}

/**
 * Data from the API, cached by TanStack Query under `key` (a path of the API, so two views of
 * the same data share one fetch and one cache entry). `live` names the stream prefixes whose
 * changes make it stale: the live provider invalidates it when one arrives over the server-sent
 * events (null: not live). `enabled: false` fetches nothing (a role that may not).
 */
export function useApiQuery<T>(
  key: QueryKey,
  load: (signal: AbortSignal) => Promise<T>,
  options: { live?: Relevance | null; enabled?: boolean } = {},
): Resource<T> {
  const query = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => load(signal),
    enabled: options.enabled ?? true,
    meta: { live: options.live ?? null },
  });
  const { refetch } = query;
  const reload = useCallback(() => void refetch(), [refetch]);
  return {
    data: query.data,
    error: query.error,
    loading: query.isLoading,
    loadedAt: query.dataUpdatedAt,
    reload,
  };
}

/**
 * An identity's permissions (`GET /api/identities/:id/permissions`): one cache entry shared by
 * the identity page and the request form's revoke list. Any assignment change may be one of them.
 */
export function usePermissions(identityId: string, enabled = true): Resource<Assignment[]> {
  const path = `/identities/${encodeURIComponent(identityId)}/permissions`;
  return useApiQuery([path], (signal) => get<Assignment[]>(path, signal), { live: ['assignment-'], enabled });
}
