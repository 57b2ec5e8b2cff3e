/**
 * The complete job's hash-chain check (ADR 0026), as pure decisions: whether it is due, and what
 * the job records of its outcome.
 */
import type { ChainVerification } from '@prov/event-store';

/** Job task counts that carry a chain check's outcome; their presence marks a task that ran one. */
export const CHAIN_COUNTS = ['chainStreams', 'chainEvents', 'chainBroken'] as const;

/** Due when no check is known, or the last one ended at least `everyMs` before `now`. */
export function chainCheckDue(lastCheckedAt: Date | undefined, now: Date, everyMs: number): boolean {
  return lastCheckedAt === undefined || now.getTime() - lastCheckedAt.getTime() >= everyMs;
}

interface JobLike {
  tasks?: unknown;
}
interface TaskLike {
  name?: string;
  status?: string;
  endedAt?: string;
  counts?: Record<string, number>;
}

/** When the most recent completed task among `jobs` that ran a chain check ended. */
export function lastChainCheck(jobs: JobLike[]): Date | undefined {
  let last: Date | undefined;
  for (const job of jobs) {
    for (const task of Array.isArray(job.tasks) ? (job.tasks as TaskLike[]) : []) {
      if (task.status !== 'Completed' || !task.endedAt || task.counts?.chainEvents === undefined) continue;
      const ended = new Date(task.endedAt);
      if (!last || ended > last) last = ended;
    }
  }
  return last;
}

/** What the verify task records: counts, and an error naming the first event that does not match. */
export function chainCheckResult(result: ChainVerification): {
  counts: Record<string, number>;
  errors: string[];
} {
  const counts = {
    chainStreams: result.streamsChecked,
    chainEvents: result.eventsChecked,
    chainBroken: result.ok ? 0 : 1,
  };
  const errors = result.firstBreak
    ? [
        `hash chain broken: event ${result.firstBreak.eventId} (stream ${result.firstBreak.streamName}, revision ${result.firstBreak.revision}) does not match its hash`,
      ]
    : [];
  return { counts, errors };
}
