/** The advisory lock of the audit replay: held by the copy that runs it, for the whole replay. */
export const REPLAY_LOCK = 'projector:replay';

export interface LiveProjectionFacts {
  /** This copy runs the replay itself (it holds {@link REPLAY_LOCK}). */
  replayHere: boolean;
  /** Nobody holds {@link REPLAY_LOCK}, as a shared probe of it saw. */
  replayLockFree: boolean;
}

export interface LiveProjectionDecision {
  /** This copy may lead live projection (ask for `projector:rm`, write the live schema). */
  project: boolean;
  /**
   * Replays still recorded as Running have no copy left to finish them (the lock dies with its
   * session): mark them Failed instead of showing Running forever.
   */
  failAbandonedReplays: boolean;
}

/**
 * Whether a copy's live projector may write while a replay may be running somewhere (ADR 0030):
 * a replay on another copy would swap the schema under it, so the copy stands down until the
 * replay lock is free again; the copy running the replay pauses its own projector for the swap.
 */
export function decideLiveProjection(facts: LiveProjectionFacts): LiveProjectionDecision {
  if (facts.replayHere) return { project: true, failAbandonedReplays: false };
  if (!facts.replayLockFree) return { project: false, failAbandonedReplays: false };
  return { project: true, failAbandonedReplays: true };
}
