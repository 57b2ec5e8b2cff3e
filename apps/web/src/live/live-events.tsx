import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useState } from 'react';

/** One read-model change as the gateway's `/api/events` stream announces it. */
export interface LiveChange {
  schema: string;
  streamNames: string[];
  type: string;
  truncated: boolean;
}

export type LiveStatus = 'connecting' | 'live' | 'offline';

/** Which changes a view cares about: stream name prefixes (`assignment-`, `job-`, ...). */
export type Relevance = readonly string[];

type Subscriber = { relevance: Relevance; notify: () => void };

interface LiveState {
  status: LiveStatus;
  subscribe(relevance: Relevance, notify: () => void): () => void;
}

const LiveContext = createContext<LiveState | null>(null);

export function isRelevant(changes: LiveChange[], relevance: Relevance): boolean {
  return changes.some(
    (change) =>
      change.truncated ||
      change.streamNames.some((name) => relevance.some((prefix) => name.startsWith(prefix))),
  );
}

/**
 * Follows the gateway's server-sent events while signed in (one stream per tab) and tells the
 * views whose data changed; each refetches what it shows. After a reconnect every view
 * refetches, since changes may have been missed meanwhile.
 */
export function LiveEventsProvider({ token, children }: { token: string | null; children: ReactNode }) {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const subscribers = useRef(new Set<Subscriber>());

  useEffect(() => {
    if (!token) return;
    let source: EventSource | undefined;
    let retry: number | undefined;
    let wasLive = false;
    let stopped = false;
    const everyone = () => subscribers.current.forEach((s) => s.notify());

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
      source?.close();
    };
  }, [token]);

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
