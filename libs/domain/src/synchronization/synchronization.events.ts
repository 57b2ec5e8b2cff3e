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
    /** Orders generated to put drift back (onDrift: restore); absent in earlier events. */
    restoreOrders?: number;
    jobId?: string;
  };
}

export interface NonConformingResourceFound {
  type: 'NonConformingResourceFound';
  data: {
    connectionId: string;
    synchronizationId: string;
    at: string;
    kind: 'account' | 'membership' | 'attribute';
    accountKey: string;
    group?: string;
    /**
     * Which way the target drifted; absent (events written before drift was read both ways)
     * means unexpected. unexpected: present, and no assignment calls for it; missing: a verified
     * order wrote it and it is gone; differing: `attribute` no longer has the written value.
     */
    drift?: 'unexpected' | 'missing' | 'differing';
    /** For kind attribute: the attribute's name (never its value). */
    attribute?: string;
    /** For missing and differing: the assignments whose verified orders the finding contradicts. */
    assignmentIds?: string[];
  };
}

/** Synchronization generated an order putting an assignment's verified change back (onDrift: restore). */
export interface DriftRestoreRequested {
  type: 'DriftRestoreRequested';
  data: {
    connectionId: string;
    synchronizationId: string;
    at: string;
    assignmentId: string;
    /** The verified order contradicted by the target, and the order that restores it. */
    orderId: string;
    restoreOrderId: string;
    changeType: 'Added' | 'Modified';
  };
}

export type SynchronizationEvent =
  SynchronizationCompleted | NonConformingResourceFound | DriftRestoreRequested;

export const synchronizationStreamName = (connectionId: string): string => `sync-${connectionId}`;
