/**
 * A checkpointed catch-up subscription that handles up to `concurrency` events at once: events
 * of one partition (by default one stream) one after the other in log order, events of different
 * partitions side by side. A reaction that does a few round trips per event (read a stream,
 * append, publish) is otherwise bound by their latency, one event at a time (issue 11).
 *
 * The checkpoint only ever names a position below which every event was handled: it follows the
 * oldest unfinished event, and writes are serialised and coalesced (one write covers every event
 * finished while the previous write ran). Delivery stays at-least-once: after a crash, the events
 * after the checkpoint are handled again, including ones that had finished out of order, so
 * handlers must be idempotent, as for runCatchUpSubscription.
 */
import {
  type CatchUpSubscriptionOptions,
  CatchUpSubscriptionError,
  type RunningCatchUpSubscription,
  runCatchUpSubscription,
  startCatchUp,
} from './catch-up-subscription';
import type { Position } from './position';
import type { RecordedEvent } from './types';

export interface PartitionedCatchUpOptions extends Omit<CatchUpSubscriptionOptions, 'handle'> {
  /** Called once per event; concurrently for events of different partitions. A throw stops the subscription. */
  handle(event: RecordedEvent): void | Promise<void>;
  /** Events handled or waiting, not yet below the checkpoint; 1 is runCatchUpSubscription. */
  concurrency: number;
  /** Events with the same key are handled in log order, one at a time; default the stream name. */
  partitionOf?(event: RecordedEvent): string;
}

interface Entry {
  event: RecordedEvent;
  done: boolean;
}

export function runPartitionedCatchUpSubscription(
  options: PartitionedCatchUpOptions,
): RunningCatchUpSubscription {
  if (options.concurrency <= 1) return runCatchUpSubscription(options);
  const { checkpoints, subscriptionId, handle, concurrency } = options;
  const partitionOf = options.partitionOf ?? ((event: RecordedEvent) => event.streamName);
  const filteredInterval = options.filteredCheckpointIntervalMs ?? 1000;

  return startCatchUp(options, async (run) => {
    /** Not yet below the checkpoint, in log order. */
    const window: Entry[] = [];
    const tails = new Map<string, Promise<void>>();
    let failure: { event?: RecordedEvent; cause: unknown } | undefined;
    let wakeReader: (() => void) | undefined;
    const wake = () => {
      wakeReader?.();
      wakeReader = undefined;
    };

    // One write at a time, always of the latest safe position, so the stored checkpoint never goes back.
    let wanted: Position | undefined;
    let written: Position | undefined;
    let writer: Promise<void> | undefined;
    let lastStoredAt = 0;
    const drainCheckpoints = async () => {
      try {
        while (wanted !== undefined && wanted !== written) {
          const position = wanted;
          await checkpoints.store(subscriptionId, position);
          written = position;
          lastStoredAt = Date.now();
        }
      } catch (cause) {
        failure ??= { cause };
        run.stop();
        wake();
      } finally {
        writer = undefined;
      }
    };
    const checkpoint = (position: Position) => {
      wanted = position;
      writer ??= drainCheckpoints();
    };
    const advance = () => {
      let last: Entry | undefined;
      while (window.length > 0 && window[0].done) last = window.shift();
      if (last) checkpoint(last.event.position);
      wake();
    };

    const subscription = await run.subscribe(async (position) => {
      // Past a filtered-out stretch; only safe while nothing handled is still unfinished.
      if (window.length > 0 || Date.now() - lastStoredAt < filteredInterval) return;
      checkpoint(position);
    });
    for await (const event of subscription) {
      while (window.length >= concurrency && !failure)
        await new Promise<void>((resolve) => (wakeReader = resolve));
      if (failure) break;
      const entry: Entry = { event, done: false };
      window.push(entry);
      const key = partitionOf(event);
      const mine = (tails.get(key) ?? Promise.resolve()).then(async () => {
        if (failure) return;
        try {
          await handle(event);
          entry.done = true;
          advance();
        } catch (cause) {
          failure ??= { event, cause };
          void subscription.close();
          wake();
        }
      });
      tails.set(key, mine);
      void mine.then(() => {
        if (tails.get(key) === mine) tails.delete(key);
      });
      if (run.stopRequested || failure) break;
    }
    await Promise.all([...tails.values()]);
    await writer;
    if (failure) throw new CatchUpSubscriptionError(subscriptionId, failure.event, failure.cause);
  });
}
