import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './client';

/** How many times a failed read is tried again: never for an answer the caller caused (4xx). */
function retry(failures: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failures < 2;
}

/**
 * The console's one query cache. The server-sent events keep it current (the live provider
 * invalidates what changed), so data stays fresh without refetching on focus or on every mount.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 60_000, refetchOnWindowFocus: false, retry },
    },
  });
}
