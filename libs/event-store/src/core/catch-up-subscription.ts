/**
 * Checkpointed catch-up subscriptions: the client keeps the checkpoint (as with EventStoreDB's
 * catch-up subscriptions), so a consumer restarts right after the last event it finished.
 * Delivery is at-least-once: an event whose handler completed but whose checkpoint write was
 * lost is handled again after a restart, so handlers must be idempotent.
 */
import { EventStoreError } from './errors';
import type { EventStore } from './event-store';
import type { Position } from './position';
import type { EventFilter, RecordedEvent } from './types';

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
  const { store, checkpoints, subscriptionId, filter, handle, signal, pollIntervalMs } = options;
  const filteredInterval = options.filteredCheckpointIntervalMs ?? 1000;
  let stopRequested = false;
  let stopSubscription: (() => Promise<void>) | undefined;

  const run = async (): Promise<void> => {
    const after = await checkpoints.load(subscriptionId);
    if (stopRequested) return;
    let lastStoredAt = 0;
    const subscription = store.subscribeToAll({
      after,
      filter,
      pollIntervalMs,
      // The subscription calls this between events, so it cannot race the handler's own checkpoint.
      onCheckpoint: async (position) => {
        if (Date.now() - lastStoredAt < filteredInterval) return;
        await checkpoints.store(subscriptionId, position);
        lastStoredAt = Date.now();
      },
    });
    stopSubscription = () => subscription.close();
    if (stopRequested) await subscription.close();
    for await (const event of subscription) {
      try {
        await handle(event);
      } catch (cause) {
        throw new CatchUpSubscriptionError(subscriptionId, event, cause);
      }
      await checkpoints.store(subscriptionId, event.position);
      lastStoredAt = Date.now();
      if (stopRequested) break;
    }
  };

  return runningSubscription(subscriptionId, run(), signal, async () => {
    stopRequested = true;
    await stopSubscription?.();
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
