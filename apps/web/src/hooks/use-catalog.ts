import { get } from '../api/client';
import type { Connection, Entitlement } from '../api/types';
import { useResource } from './use-resource';

/** The role model in force: entitlements (changes only with a restart, so not live). */
export function useEntitlements() {
  return useResource((signal) => get<Entitlement[]>('/entitlements', signal), [], { live: null });
}

/** Connections with their health; refreshed when a synchronization completes. */
export function useConnections() {
  return useResource((signal) => get<Connection[]>('/connections', signal), [], { live: ['sync-'] });
}
