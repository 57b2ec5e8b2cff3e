/**
 * A catch-up subscription built from nothing but `readAll` pages and a wake-up signal. The
 * in-memory and PostgreSQL adapters share it, so the subtle parts (no missed wake-ups, exclusive
 * `after`, checkpoints across filtered-out stretches, closing mid-wait) are written once.
 *
 * It never tracks "what was announced": it only trusts `readAll`, which shows a prefix of the log
 * that can no longer change. A wake-up just means "read again soon"; the poll interval covers
 * wake-ups that are lost or that arrive before the event is readable.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EventStoreError } from './errors';
import { Pacer, type Pacing } from '@prov/gathering';
import { type Announcement, mayMatch } from './subscription-wake-ups';
import type { Position } from './position';
import type {
  ReadAllOptions,
  ReadAllResult,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
} from './types';

/** Changes remembered for waiters that missed them (more missed ones count as relevant). */
const REMEMBERED = 64;

/**
 * Counts changes; a waiter remembers the count it saw, so a change between read and wait is never
 * lost. A change may say what it is (ADR 0050): a waiter can pass those that do not concern it.
 */
export class ChangeSignal {
  private version = 0;
  /** The announcements of the latest changes, oldest first, the last one the current version's. */
  private readonly recent: (Announcement | undefined)[] = [];
  private readonly waiters = new Set<(announcement: Announcement | undefined) => void>();

  get current(): number {
    return this.version;
  }

  /** A change; without an announcement it concerns everyone. */
  notify(announcement?: Announcement): void {
    this.version += 1;
    this.recent.push(announcement);
    if (this.recent.length > REMEMBERED) this.recent.shift();
    for (const wake of [...this.waiters]) wake(announcement);
  }

  /**
   * Resolves once a change after `seen` that `relevant` accepts has come, after `timeoutMs`, or
   * when `signal` aborts.
   */
  wait(
    seen: number,
    timeoutMs: number,
    signal: AbortSignal,
    relevant: (announcement: Announcement | undefined) => boolean = () => true,
  ): Promise<void> {
    if (signal.aborted || this.missed(seen, relevant)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(changed);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const changed = (announcement: Announcement | undefined) => {
        if (relevant(announcement)) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(changed);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private missed(seen: number, relevant: (announcement: Announcement | undefined) => boolean): boolean {
    const missed = this.version - seen;
    if (missed <= 0) return false;
    if (missed > this.recent.length) return true;
    return this.recent.slice(-missed).some(relevant);
  }
}

export interface LogSource {
  readAll(options: ReadAllOptions): Promise<ReadAllResult>;
  readonly changes: ChangeSignal;
  /** Runs before the first read, e.g. to LISTEN, so wake-ups for the catch-up tail are not missed. */
  prepare?(): Promise<void>;
}

export interface LogSubscriptionSettings extends SubscribeToAllOptions {
  pollIntervalMs: number;
  pageSize: number;
  /**
   * How often a woken subscription reads (ADR 0050): a burst at once, then one read per interval
   * while wake-ups keep coming; one read then covers every commit since the previous one. Reads
   * of a catch-up (after a full page) are never held back. Off by default (the in-memory store).
   */
  pacing?: Pacing;
}

export class LogSubscription implements Subscription {
  private readonly stop = new AbortController();
  private started = false;
  private finished = false;

  constructor(
    private readonly source: LogSource,
    private readonly settings: LogSubscriptionSettings,
    /** Called exactly once when the subscription ends, however it ends. */
    private readonly onEnd: (subscription: LogSubscription) => void,
  ) {}

  get closed(): boolean {
    return this.stop.signal.aborted;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.started) throw new EventStoreError('a subscription can be iterated only once');
    this.started = true;
    return this.follow();
  }

  async close(): Promise<void> {
    this.stop.abort();
    // Nobody will ever pull from an unstarted subscription, so end it here instead.
    if (!this.started) this.end();
  }

  private end(): void {
    if (this.finished) return;
    this.finished = true;
    this.onEnd(this);
  }

  private async *follow(): AsyncGenerator<RecordedEvent> {
    const { filter, pageSize, pollIntervalMs, onCheckpoint, pacing } = this.settings;
    const pacer = pacing && new Pacer(pacing);
    // A wake-up for commits the filter drops is passed over, except while events may be held back
    // by the log gate behind an append of other events: that append's wake-up is the one that
    // lets them through. A store that says so (`heldBack`, ADR 0064) is believed: other wake-ups
    // count while its last read was held back, and only then. A store that does not say: for a poll
    // interval after a wake-up that may match (ADR 0050); past that, the poll reads anyway.
    let armedUntil = 0;
    let heldBack: boolean | undefined;
    const relevant = (announcement: Announcement | undefined) => {
      if (mayMatch(filter, announcement)) {
        armedUntil = Date.now() + pollIntervalMs;
        return true;
      }
      return heldBack ?? Date.now() < armedUntil;
    };
    let after: Position | undefined = this.settings.after;
    try {
      await this.source.prepare?.();
      while (!this.closed) {
        // Taken before the read: a change that lands while we read makes the wait return at once.
        const seen = this.source.changes.current;
        const page = await this.source.readAll({ after, maxCount: pageSize, filter });
        for (const event of page.events) {
          if (this.closed) return;
          yield event;
        }
        const lastEvent = page.events.at(-1);
        if (page.lastPosition !== undefined) {
          const skippedTail = lastEvent === undefined || lastEvent.position !== page.lastPosition;
          if (skippedTail && onCheckpoint && !this.closed) await onCheckpoint(page.lastPosition);
          after = page.lastPosition;
        }
        if (page.isEnd) {
          heldBack = page.heldBack;
          await this.source.changes.wait(seen, pollIntervalMs, this.stop.signal, relevant);
          // Wake-ups that come while the bucket is empty wait for it: the read after the pause
          // covers them all. Closing aborts the pause (which then rejects): the loop ends at its
          // next check.
          const pause = pacer?.delay() ?? 0;
          if (pause > 0) await sleep(pause, undefined, { signal: this.stop.signal }).catch(() => undefined);
          pacer?.take();
        }
      }
    } finally {
      this.end();
    }
  }
}

/** Tracks a store's open subscriptions so `close()` on the store can end them all. */
export class SubscriptionRegistry {
  private readonly open = new Set<LogSubscription>();

  add(subscription: LogSubscription): LogSubscription {
    this.open.add(subscription);
    return subscription;
  }

  remove(subscription: LogSubscription): void {
    this.open.delete(subscription);
  }

  get size(): number {
    return this.open.size;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((subscription) => subscription.close()));
  }
}
