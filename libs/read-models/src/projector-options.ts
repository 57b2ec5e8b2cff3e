import type { Pacing } from '@prov/event-store';
import { assignmentProjection } from './projections/assignment.projection';
import { identityProjection } from './projections/identity.projection';
import { jobProjection } from './projections/job.projection';
import type { Projection } from './projections/projection';
import { synchronizationProjection } from './projections/synchronization.projection';

export const ALL_PROJECTIONS: readonly Projection[] = [
  identityProjection,
  assignmentProjection,
  jobProjection,
  synchronizationProjection,
];

export interface ProjectorLogger {
  log(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface ProjectorOptions {
  schema?: string;
  checkpointName?: string;
  projections?: readonly Projection[];
  logger?: ProjectorLogger;
  /**
   * Asked before each write: an advisory lock that must be free, probed shared in the write's own
   * transaction (undefined: no probe). Taken, the write is rolled back and the projector stops
   * with {@link StandDownForReplay} (the live one stands down for a replay run by another copy,
   * ADR 0030).
   */
  standDownLock?: () => string | undefined;
  /**
   * Lets a bulk load copy rows that repeat events (the history) from the store's table when the
   * store is the PostgreSQL adapter on this pool (default true); false keeps every row on the
   * generic path, as with any other store (ADR 0038).
   */
  copyFromStore?: boolean;
  /** How often the live subscription reads while commits keep coming; default READ_MODEL_PACING (ADR 0068). */
  pacing?: Pacing;
  /** States a bulk load holds in memory per projection before it writes them (tests); default: the projection's budget. */
  bulkLoadHeldAtMost?: number;
}
