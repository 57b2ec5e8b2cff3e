/**
 * Checkpointed catch-up subscriptions: the client keeps the checkpoint (as with EventStoreDB's
 * catch-up subscriptions), so a consumer restarts right after the last event it finished.
 * Delivery is at-least-once: an event whose handler completed but whose checkpoint write was
 * lost is handled again after a restart, so handlers must be idempotent.
 */
import { EventStoreError } from './errors';
import type { EventStore } from './event-store';
import type { Position } from './position';
import type { EventFilter, RecordedEvent, Subscription } from './types';

/** Where consumers keep their progress through the global log. */
export interface CheckpointStore {
  /** The position after which `subscriptionId` resumes; undefined when it never stored one. */
  load(subscriptionId: string): Promise<Position | undefined>;
  store(subscriptionId: string, position: Position): Promise<void>;
}

export interface CatchUpSubscriptionOptions {
  store: EventStore;
  checkpoints: CheckpointStore;
  subscriptionId: string;
  filter?: EventFilter;
  /** Called once per event, in log order, never concurrently; a throw stops the subscription. */
  handle(event: RecordedEvent): void | Promise<void>;
  /** Aborting it has the same effect as `close()`. */
  signal?: AbortSignal;
  pollIntervalMs?: number;
  /**
   * Minimum time between checkpoint writes while the filter is dropping everything; handled
   * events are always checkpointed at once. Default 1000 ms.
   */
  filteredCheckpointIntervalMs?: number;
}

export interface RunningCatchUpSubscription {
  /** Settles when the subscription stops: resolves after `close()`, rejects with a handler or store error. */
  readonly done: Promise<void>;
  /** Stops after the event being handled (and its checkpoint) and waits until it has stopped. */
  close(): Promise<void>;
}

export class CatchUpSubscriptionError extends EventStoreError {
  constructor(
    readonly subscriptionId: string,
    readonly event: RecordedEvent | undefined,
    cause: unknown,
  ) {
    super(
      event
        ? `subscription '${subscriptionId}' stopped: handling ${event.type} at ${event.streamName}@${event.revision} ` +
            `failed: ${(cause as Error)?.message ?? String(cause)}`
        : `subscription '${subscriptionId}' stopped: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
}

export function runCatchUpSubscription(options: CatchUpSubscriptionOptions): RunningCatchUpSubscription {
  const { checkpoints, subscriptionId, handle } = options;
  const filteredInterval = options.filteredCheckpointIntervalMs ?? 1000;
  return startCatchUp(options, async (run) => {
    let lastStoredAt = 0;
    const subscription = await run.subscribe(
      // The subscription calls this between events, so it cannot race the handler's own checkpoint.
      async (position) => {
        if (Date.now() - lastStoredAt < filteredInterval) return;
        await checkpoints.store(subscriptionId, position);
        lastStoredAt = Date.now();
      },
    );
    for await (const event of subscription) {
      try {
        await handle(event);
      } catch (cause) {
        throw new CatchUpSubscriptionError(subscriptionId, event, cause);
      }
      await checkpoints.store(subscriptionId, event.position);
      lastStoredAt = Date.now();
      if (run.stopRequested) break;
    }
  });
}

/** What a catch-up loop works with; its subscription starts after the stored checkpoint. */
export interface CatchUpRun {
  /** True once close() (or the signal) asked the subscription to stop. */
  readonly stopRequested: boolean;
  /**
   * Subscribes to the log after the checkpoint; from then on a close() closes the subscription
   * (at once, when one came while it was being opened).
   */
  subscribe(onCheckpoint: (position: Position) => Promise<void>): Promise<Subscription>;
  /** Closes the subscription from within, when the loop must end (a failed checkpoint write). */
  stop(): void;
}

/**
 * Loads the checkpoint and runs `loop` on it, unless close() came first; answers the handle of
 * the running subscription. The plain and the partitioned subscription differ only in `loop`.
 */
export function startCatchUp(
  options: CatchUpSubscriptionOptions,
  loop: (run: CatchUpRun) => Promise<void>,
): RunningCatchUpSubscription {
  const { store, checkpoints, subscriptionId, filter, signal, pollIntervalMs } = options;
  let stopRequested = false;
  let subscription: Subscription | undefined;

  const run = async (): Promise<void> => {
    const after = await checkpoints.load(subscriptionId);
    if (stopRequested) return;
    await loop({
      get stopRequested() {
        return stopRequested;
      },
      async subscribe(onCheckpoint) {
        subscription = store.subscribeToAll({ after, filter, pollIntervalMs, onCheckpoint });
        if (stopRequested) await subscription.close();
        return subscription;
      },
      stop() {
        void subscription?.close();
      },
    });
  };

  return runningSubscription(subscriptionId, run(), signal, async () => {
    stopRequested = true;
    await subscription?.close();
  });
}

/**
 * The handle of a running catch-up subscription: `done` wraps every failure in a
 * CatchUpSubscriptionError; close() (or `signal`) calls `stop`, then waits for the end.
 */
export function runningSubscription(
  subscriptionId: string,
  running: Promise<void>,
  signal: AbortSignal | undefined,
  stop: () => Promise<void>,
): RunningCatchUpSubscription {
  const done = running.catch((error: unknown) => {
    if (error instanceof CatchUpSubscriptionError) throw error;
    throw new CatchUpSubscriptionError(subscriptionId, undefined, error);
  });
  // Callers who only use close() must not crash the process with an unhandled rejection.
  done.catch(() => undefined);

  const close = async (): Promise<void> => {
    await stop();
    await done.catch(() => undefined);
  };
  if (signal) {
    if (signal.aborted) void close();
    else signal.addEventListener('abort', () => void close(), { once: true });
  }
  return { done, close };
}
