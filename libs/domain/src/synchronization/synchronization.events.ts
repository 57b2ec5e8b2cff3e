/**
 * Events of synchronization runs, stream `sync-<connectionId>`: what was read back from a
 * managed system, and what was found there that the role model does not expect (drift).
 */
export interface SynchronizationCompleted {
  type: 'SynchronizationCompleted';
  data: {
    connectionId: string;
    synchronizationId: string;
    at: string;
    accounts: number;
    memberships: number;
    verifiedOrders: number;
    nonConforming: number;
    jobId?: string;
  };
}

export interface NonConformingResourceFound {
  type: 'NonConformingResourceFound';
  data: {
    connectionId: string;
    synchronizationId: string;
    at: string;
    kind: 'account' | 'membership';
    accountKey: string;
    group?: string;
  };
}

export type SynchronizationEvent = SynchronizationCompleted | NonConformingResourceFound;

export const synchronizationStreamName = (connectionId: string): string => `sync-${connectionId}`;
