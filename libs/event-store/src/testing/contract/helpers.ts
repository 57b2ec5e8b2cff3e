/**
 * Helpers of the contract suite. Each test writes to streams with a fresh random prefix, so the
 * tests of one file can share a store (and an adapter with a shared server still gives exact
 * answers when it filters on that prefix).
 */
import { randomUUID } from 'node:crypto';
import type { CheckpointStore } from '../../core/catch-up-subscription';
import type { EventStore } from '../../core/event-store';
import { comparePositions, type Position } from '../../core/position';
import type { EventData, EventFilter, RecordedEvent, Subscription } from '../../core/types';

export interface ContractFixture {
  store: EventStore;
  checkpoints: CheckpointStore;
  /** Closes the store; the data stays for a later `factory({ fresh: false })`. */
  dispose(): Promise<void>;
  /**
   * Where the adapter's storage can be changed behind its back (a row in PostgreSQL, the
   * in-memory log): changes the event's data as an intruder would, and gives back a function
   * that puts it back. EventStoreDB's log is immutable, so its fixture has none.
   */
  tamper?(streamName: string, revision: bigint): Promise<() => Promise<void>>;
  /** The chain hashes the adapter stored for the stream's events (hex, in revision order), where readable. */
  chainHashes?(streamName: string): Promise<string[]>;
}

/**
 * Opens a store. `fresh: true` starts from empty data where the adapter can (a new database);
 * `fresh: false` opens the data of the most recent fresh fixture again, as a restarted process would.
 */
export type ContractFactory = (options: { fresh: boolean }) => Promise<ContractFixture>;

export interface ContractContext {
  /** The fixture shared by the tests of the suite (opened in beforeAll). */
  fixture(): ContractFixture;
  factory: ContractFactory;
}

/** Time limit for tests that wait for events to arrive or write thousands of them. */
export const SLOW = 60_000;

export function uniquePrefix(label: string): string {
  return `${label}_${randomUUID().slice(0, 8)}-`;
}

export function uniqueStream(label: string): string {
  return `${uniquePrefix(label)}${randomUUID().slice(0, 8)}`;
}

export function newEvent(
  type = 'ThingHappened',
  data: unknown = { at: Date.now() },
  metadata?: Record<string, unknown>,
): EventData {
  return { id: randomUUID(), type, data, ...(metadata ? { metadata } : {}) };
}

export function newEvents(count: number, type = 'ThingHappened', offset = 0): EventData[] {
  return Array.from({ length: count }, (_, index) => newEvent(type, { n: offset + index }));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The rejection of `promise`, checked to be an instance of `type`. */
export async function rejectionOf<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}, but the call succeeded`);
}

/**
 * Pages through the global log until it has gone past `until`. A store may show a committed
 * event a little later (PostgreSQL waits for older transactions, which other tests on the same
 * server may hold open), so reaching the end too early means "look again", not "done".
 */
export async function readAllThrough(
  store: EventStore,
  until: Position,
  options: { after?: Position; filter?: EventFilter; pageSize?: number; timeoutMs?: number } = {},
): Promise<{ events: RecordedEvent[]; pages: number; lastPosition?: Position }> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  const events: RecordedEvent[] = [];
  let after = options.after;
  let pages = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: options.pageSize ?? 1000, filter: options.filter });
    pages += 1;
    events.push(...page.events);
    after = page.lastPosition ?? after;
    if (after !== undefined && comparePositions(after, until) >= 0)
      return { events, pages, lastPosition: after };
    if (page.isEnd) {
      if (Date.now() > deadline)
        throw new Error(`the global log did not reach ${until} in time (at ${after})`);
      await sleep(25);
    }
  }
}

/** Pulls `count` events from a subscription, or fails after `timeoutMs`. Leaves it open. */
export async function take(
  subscription: Subscription,
  count: number,
  timeoutMs = 20_000,
): Promise<RecordedEvent[]> {
  const iterator = iteratorOf(subscription);
  const events: RecordedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (events.length < count) {
    const next = await withTimeout(
      iterator.next(),
      Math.max(0, deadline - Date.now()),
      () => `received only ${events.length} of ${count} events in time`,
    );
    if (next.done) throw new Error(`the subscription ended after ${events.length} of ${count} events`);
    events.push(next.value);
  }
  return events;
}

// A subscription may be iterated only once, so repeated take() calls share one iterator.
const iterators = new WeakMap<Subscription, AsyncIterator<RecordedEvent>>();
function iteratorOf(subscription: Subscription): AsyncIterator<RecordedEvent> {
  let iterator = iterators.get(subscription);
  if (!iterator) {
    iterator = subscription[Symbol.asyncIterator]();
    iterators.set(subscription, iterator);
  }
  return iterator;
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/** `promise`, or a rejection after `ms`; the timer is cleared either way so Jest can exit. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
