import { get } from '../api/client';
import type { Connection, Entitlement } from '../api/types';
import { useApiQuery } from './use-api-query';

/** The role model in force: entitlements (changes only with a restart, so not live). */
export function useEntitlements() {
  return useApiQuery(['/entitlements'], (signal) => get<Entitlement[]>('/entitlements', signal), {
    live: null,
  });
}

/** Connections with their health; refreshed when a synchronization completes. */
export function useConnections() {
  return useApiQuery(['/connections'], (signal) => get<Connection[]>('/connections', signal), {
    live: ['sync-'],
  });
}
