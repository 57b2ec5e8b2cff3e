/**
 * The record of one synchronization report, stream `synchronization-<synchronizationId>` (ADR
 * 0074): a replica of `orders` claims the report before comparing anything, and appends the
 * outcome there in the same append as the findings on `sync-<connectionId>`. A report delivered
 * again (the agent re-sends, a redelivery, two replicas racing) finds the claim or the outcome
 * and records nothing. The stream's prefix is not `sync-`: it is no connection's stream.
 */

/** A replica of `orders` took the report; it records it unless it stops first. */
export interface SynchronizationClaimed {
  type: 'SynchronizationClaimed';
  data: { synchronizationId: string; connectionId: string; at: string };
}

/** The report was recorded: what the first recording answered, for every later delivery. */
export interface SynchronizationRecorded {
  type: 'SynchronizationRecorded';
  data: {
    synchronizationId: string;
    connectionId: string;
    at: string;
    verified: number;
    nonConforming: number;
    restoreOrders: number;
  };
}

/** The claimant failed before recording (the report's error by name): the next delivery claims it again. */
export interface SynchronizationAbandoned {
  type: 'SynchronizationAbandoned';
  data: { synchronizationId: string; connectionId: string; at: string; reason: string };
}

export type SynchronizationClaimEvent =
  SynchronizationClaimed | SynchronizationRecorded | SynchronizationAbandoned;

export const synchronizationClaimStreamName = (synchronizationId: string): string =>
  `synchronization-${synchronizationId}`;

/** What the first recording of a report answered. */
export interface SynchronizationOutcome {
  synchronizationId: string;
  verified: number;
  nonConforming: number;
  restoreOrders: number;
}

/**
 * Where a report stands, from its claim stream's events (oldest first) and the revision of the
 * last of them (its index when not given):
 * - `recorded`: answer `outcome`, record nothing;
 * - `open`: nobody holds it (never claimed, or abandoned), claim it at `expectedRevision`;
 * - `claimed`: a claim without an outcome. Whether its claimant still works on it is not in the
 *   events (ADR 0074: the claimant's lock says so); a claim taken over is appended at
 *   `expectedRevision` like any other.
 */
export type SynchronizationClaimState = (
  | { kind: 'recorded'; outcome: SynchronizationOutcome }
  | { kind: 'open'; expectedRevision: 'no_stream' | bigint }
  | { kind: 'claimed'; expectedRevision: bigint; claimedAt: string }
) & {
  /** The connection whose report this is, once claimed: the same id for another is refused. */
  connectionId?: string;
};

export function synchronizationClaimState(
  events: readonly SynchronizationClaimEvent[],
  lastRevision?: bigint,
): SynchronizationClaimState {
  // An outcome is final: an event after it could only come from a claimant that was fenced off.
  if (events.length === 0) return { kind: 'open', expectedRevision: 'no_stream' };
  const connectionId = events[0].data.connectionId;
  const recorded = events.find((e): e is SynchronizationRecorded => e.type === 'SynchronizationRecorded');
  if (recorded) {
    const { synchronizationId, verified, nonConforming, restoreOrders } = recorded.data;
    const outcome = { synchronizationId, verified, nonConforming, restoreOrders };
    return { kind: 'recorded', outcome, connectionId };
  }
  const last = events[events.length - 1];
  // A stream soft-deleted and written again does not start at 0: the store's revision counts.
  const expectedRevision = lastRevision ?? BigInt(events.length - 1);
  return last.type === 'SynchronizationClaimed'
    ? { kind: 'claimed', expectedRevision, claimedAt: last.data.at, connectionId }
    : { kind: 'open', expectedRevision, connectionId };
}
