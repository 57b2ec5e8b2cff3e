import { RecentlyUsed } from './recently-used';

/** A stream as this process last read or wrote it: its state at `revision`. */
export interface KnownStream<State> {
  state: State;
  revision: bigint;
}

/**
 * The last state of each stream this process read or appended to, bounded, the least recently
 * remembered forgotten first. What it holds is only ever a guess for a command to decide on
 * (`handleCommand`'s `guess`, {@link decideOnGuess}): the append's expected revision proves it
 * current, or the stream is read after all. Nothing here answers a read (ADR 0044, ADR 0051).
 */
export class KnownStreams<State> {
  private readonly known: RecentlyUsed<string, KnownStream<State>>;

  constructor(capacity: number) {
    this.known = new RecentlyUsed(capacity);
  }

  get size(): number {
    return this.known.size;
  }

  /**
   * Keeps the newer of what is known and `entry`: reads and appends of one stream may finish
   * out of order. A stream that does not exist (no revision) is not remembered.
   */
  remember(streamName: string, entry: { state: State; revision: bigint | undefined }): void {
    if (entry.revision === undefined) return;
    const current = this.known.peek(streamName);
    if (current && current.revision > entry.revision) return;
    this.known.set(streamName, { state: entry.state, revision: entry.revision });
  }

  /** A guess does not count as a use: the least recently remembered stream is forgotten first. */
  get(streamName: string): KnownStream<State> | undefined {
    return this.known.peek(streamName);
  }

  /** After an append refused at the known revision: the stream moved on without this process. */
  forget(streamName: string): void {
    this.known.delete(streamName);
  }
}
