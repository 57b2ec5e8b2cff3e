import { RecentlyUsed } from '@prov/command-handling';
import type { RecordedEvent } from '@prov/event-store';
import { streamId } from './projection';
import type { StoredState } from './stream-fold';

/** States a live projector keeps per projection at most (an assignment's is 1–3 KB). */
const KEPT_STATES = 5_000;

/**
 * The states the live projector last wrote, by stream, so that a batch folds onto them without
 * reading their rows again (ADR 0043). Using a kept state is folding the batch as if it had
 * arrived with the batch that wrote it, which `foldStreams` makes equal to one event at a time;
 * and the statement that writes the batch still checks, under lock, that every row has the
 * revision the fold started from, so a row written by anyone else sends the batch to the exact
 * path (which then empties the cache). Least recently used states are let go beyond `capacity`.
 */
export class StateCache<S = unknown> {
  private readonly states: RecentlyUsed<string, StoredState<S>>;

  constructor(capacity = KEPT_STATES) {
    this.states = new RecentlyUsed(capacity);
  }

  get size(): number {
    return this.states.size;
  }

  get(id: string): StoredState<S> | undefined {
    return this.states.get(id);
  }

  keep(id: string, state: StoredState<S>): void {
    this.states.set(id, state);
  }

  clear(): void {
    this.states.clear();
  }
}

/** The kept states of a batch's streams, and the events of the streams that must be read. */
export function keptStates<S>(
  events: readonly RecordedEvent[],
  prefix: string,
  cache: StateCache<S> | undefined,
): { kept: Map<string, StoredState<S>>; toRead: RecordedEvent[] } {
  const kept = new Map<string, StoredState<S>>();
  if (!cache) return { kept, toRead: [...events] };
  const toRead: RecordedEvent[] = [];
  for (const event of events) {
    const id = streamId(event.streamName, prefix);
    const state = kept.get(id) ?? cache.get(id);
    if (state) kept.set(id, state);
    else toRead.push(event);
  }
  return { kept, toRead };
}

/**
 * What to keep once a batch's statement committed: the state each stream's row has now (the
 * folded one where the batch changed it, else the one it started from).
 */
export function keepAfterWrite<S>(
  cache: StateCache<S> | undefined,
  stored: ReadonlyMap<string, StoredState<S>>,
  written: readonly { id: string; state: S; revision: bigint }[],
): () => void {
  return () => {
    if (!cache) return;
    for (const [id, state] of stored) cache.keep(id, state);
    for (const { id, state, revision } of written) cache.keep(id, { state, revision });
  };
}
