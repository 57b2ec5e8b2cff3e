import { useQueryClient } from '@tanstack/react-query';
import { invalidateLiveQueries, isRelevant, type LiveChange, type Relevance } from './invalidation';
import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useState } from 'react';

export type LiveStatus = 'connecting' | 'live' | 'offline';

type Subscriber = { relevance: Relevance; notify: () => void };

interface LiveState {
  status: LiveStatus;
  subscribe(relevance: Relevance, notify: () => void): () => void;
}

export type { LiveChange, Relevance } from './invalidation';
export { isRelevant } from './invalidation';

const LiveContext = createContext<LiveState | null>(null);

/** A burst of changes (a job's tasks, a bulk approval) is one invalidation, not one per event. */
const INVALIDATE_DEBOUNCE_MS = 150;

/**
 * Follows the gateway's server-sent events while signed in (one stream per tab): the cached
 * queries whose streams changed are invalidated (TanStack Query refetches those on screen), and
 * subscribers are told. After a reconnect every live query is invalidated, since changes may
 * have been missed meanwhile. Signing out empties the cache: the next person sees nothing of it.
 */
export function LiveEventsProvider({ token, children }: { token: string | null; children: ReactNode }) {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const subscribers = useRef(new Set<Subscriber>());
  const queryClient = useQueryClient();

  useEffect(() => {
    if (!token) {
      queryClient.clear();
      return;
    }
    let pending: LiveChange[] | 'all' = [];
    let timer: number | undefined;
    const invalidate = (changes: LiveChange[] | 'all') => {
      pending = changes === 'all' || pending === 'all' ? 'all' : [...pending, ...changes];
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        const batch = pending;
        pending = [];
        void invalidateLiveQueries(queryClient, batch);
      }, INVALIDATE_DEBOUNCE_MS);
    };
    let source: EventSource | undefined;
    let retry: number | undefined;
    let wasLive = false;
    let stopped = false;
    const everyone = () => {
      invalidate('all');
      subscribers.current.forEach((s) => s.notify());
    };

    const open = () => {
      setStatus('connecting');
      source = new EventSource(`/api/events?access_token=${encodeURIComponent(token)}`);
      source.addEventListener('ready', () => {
        setStatus('live');
        if (wasLive) everyone();
        wasLive = true;
      });
      source.addEventListener('change', (event) => {
        let changes: LiveChange[] = [];
        try {
          changes =
            (JSON.parse((event as MessageEvent<string>).data) as { changes: LiveChange[] }).changes ?? [];
        } catch {
          return;
        }
        invalidate(changes);
        subscribers.current.forEach((s) => {
          if (isRelevant(changes, s.relevance)) s.notify();
        });
      });
      source.addEventListener('resync', everyone);
      source.onerror = () => {
        setStatus('offline');
        // EventSource retries by itself after a network error, but gives up on an HTTP error.
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          source.close();
          retry = window.setTimeout(open, 5000);
        }
      };
    };
    open();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      window.clearTimeout(timer);
      source?.close();
    };
  }, [token, queryClient]);

  const value = useMemo<LiveState>(
    () => ({
      status,
      subscribe(relevance, notify) {
        const subscriber = { relevance, notify };
        subscribers.current.add(subscriber);
        return () => subscribers.current.delete(subscriber);
      },
    }),
    [status],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveState {
  const value = useContext(LiveContext);
  if (!value) throw new Error('useLive outside LiveEventsProvider');
  return value;
}
