import type { PoolClient } from 'pg';
import type { RecordedEvent } from '@prov/event-store';
import { streamId } from './projection';

export interface StoredState<S> {
  state: S;
  revision: bigint;
}

export interface FoldedRow<S> {
  id: string;
  /** The state after the last event of the batch that changed it. */
  state: S;
  /** That event (its revision is the row's). */
  event: RecordedEvent;
  /** The row was stored before the batch (an update); otherwise it is new (an insert). */
  existed: boolean;
}

export interface FoldedStreams<S> {
  rows: FoldedRow<S>[];
  /** The events that were applied, in log order. */
  applied: RecordedEvent[];
}

/**
 * Folds a batch of events onto the stored states of their streams, with exactly the rules of
 * applying them one at a time: an event at or below the stored revision was applied already, an
 * event that leaves the state non-existent writes nothing (the next one folds on the state before
 * it), and only the last state of each row is kept. `onApplied` sees every applied event with the
 * state it produced.
 */
export function foldStreams<S extends { exists: boolean }, E>(
  stored: ReadonlyMap<string, StoredState<S>>,
  events: readonly RecordedEvent[],
  prefix: string,
  evolve: (state: S, event: E) => S,
  initial: () => S,
  onApplied?: (id: string, state: S, event: RecordedEvent) => void,
): FoldedStreams<S> {
  const current = new Map<string, StoredState<S>>(stored);
  const rows = new Map<string, FoldedRow<S>>();
  const applied: RecordedEvent[] = [];
  for (const event of events) {
    const id = streamId(event.streamName, prefix);
    const next = foldEvent(current, id, event, evolve, initial);
    if (!next) continue;
    rows.set(id, { id, state: next, event, existed: stored.has(id) });
    onApplied?.(id, next, event);
    applied.push(event);
  }
  return { rows: [...rows.values()], applied };
}

/**
 * Applies one event to the state of its stream in `states` (updated in place) with the rules
 * above; returns the new state, or undefined when the event changes nothing.
 */
export function foldEvent<S extends { exists: boolean }, E>(
  states: Map<string, StoredState<S>>,
  id: string,
  event: RecordedEvent,
  evolve: (state: S, event: E) => S,
  initial: () => S,
): S | undefined {
  const before = states.get(id);
  if (before && before.revision >= event.revision) return undefined;
  // The recorded event is the domain event (its `type` and `data`) with more fields; the evolve
  // functions read only those two, so no object is made per event to hand them over.
  const next = evolve(before?.state ?? initial(), event as unknown as E);
  if (!next.exists) return undefined;
  states.set(id, { state: next, revision: event.revision });
  return next;
}

/**
 * The streams of a batch whose stored rows must be read before folding. In a bulk load (the
 * schema was empty when the load began) a stream whose first event in the batch is its first
 * event ever (revision 0) cannot have a row yet, so only the others are looked up.
 */
export function streamsToLookUp(events: readonly RecordedEvent[], prefix: string, bulk: boolean): string[] {
  const first = new Map<string, bigint>();
  for (const event of events) {
    const id = streamId(event.streamName, prefix);
    if (!first.has(id)) first.set(id, event.revision);
  }
  return [...first].filter(([, revision]) => !bulk || revision !== 0n).map(([id]) => id);
}

/**
 * The stored rows of the streams a batch folds onto (`select` gets the locking clause and `$1`,
 * the ids). A bulk load is the schema's only writer: locking the rows would only cost a write
 * per row. `lock` false: read without a lock, for a write that checks the revisions under its
 * own lock (the live projector's, ADR 0043).
 */
export async function readTouchedRows<R>(
  client: PoolClient,
  events: readonly RecordedEvent[],
  prefix: string,
  bulk: boolean,
  select: (lock: string) => string,
  lock = !bulk,
): Promise<R[]> {
  const ids = streamsToLookUp(events, prefix, bulk);
  if (ids.length === 0) return [];
  return (await client.query<R & object>(select(lock ? 'FOR UPDATE' : ''), [ids])).rows;
}

/**
 * The stored revision of each stream a batch folded onto (null: it had no row), as a live
 * plan's `read` reports them.
 */
export function revisionsRead(
  events: readonly RecordedEvent[],
  prefix: string,
  stored: ReadonlyMap<string, { revision: bigint }>,
): Record<string, string | null> {
  const revisions: Record<string, string | null> = {};
  for (const id of streamsToLookUp(events, prefix, false))
    revisions[id] = stored.get(id)?.revision.toString() ?? null;
  return revisions;
}
