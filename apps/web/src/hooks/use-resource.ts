import { useCallback, useEffect, useRef, useState } from 'react';
import { type Relevance, useLive } from '../live/live-events';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  /** True only for the first load (and after the inputs changed): refreshes keep showing the data. */
  loading: boolean;
  /** When the data was last fetched. */
  loadedAt: Date | undefined;
  reload(): void;
}

const REFRESH_DEBOUNCE_MS = 150;

/**
 * Loads data with `load`, again when `deps` change, and again whenever a relevant read-model
 * change arrives over the live stream (debounced, so a burst of events is one refetch). A
 * refetch never blanks what is shown; a failed refetch keeps the data and reports the error.
 * `live: null` turns live refreshes off; `enabled: false` fetches nothing (a role that may not).
 */
export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
  options: { live?: Relevance | null; enabled?: boolean } = {},
): Resource<T> {
  const { subscribe } = useLive();
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean; loadedAt?: Date }>({
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const enabled = options.enabled ?? true;
  const relevance = options.live === undefined ? null : options.live;
  const relevanceKey = relevance ? relevance.join('|') : '';

  // The inputs changed: show the loading state again.
  useEffect(() => {
    setState({ loading: enabled });
  }, [enabled, ...deps]);

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    loadRef
      .current(controller.signal)
      .then((data) => {
        if (!controller.signal.aborted) setState({ data, loading: false, loadedAt: new Date() });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState((previous) => ({ ...previous, error, loading: false }));
      });
    return () => controller.abort();
  }, [enabled, tick, ...deps]);

  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    if (!enabled || !relevanceKey) return;
    let timer: number | undefined;
    const unsubscribe = subscribe(relevanceKey.split('|'), () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(reload, REFRESH_DEBOUNCE_MS);
    });
    return () => {
      window.clearTimeout(timer);
      unsubscribe();
    };
  }, [enabled, relevanceKey, subscribe, reload]);

  return { data: state.data, error: state.error, loading: state.loading, loadedAt: state.loadedAt, reload };
}
