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
  private readonly known = new Map<string, KnownStream<State>>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.known.size;
  }

  /**
   * Keeps the newer of what is known and `entry`: reads and appends of one stream may finish
   * out of order. A stream that does not exist (no revision) is not remembered.
   */
  remember(streamName: string, entry: { state: State; revision: bigint | undefined }): void {
    if (entry.revision === undefined) return;
    const current = this.known.get(streamName);
    if (current && current.revision > entry.revision) return;
    this.known.delete(streamName); // re-inserted last: the Map's order is the eviction order
    this.known.set(streamName, { state: entry.state, revision: entry.revision });
    if (this.known.size > this.capacity) this.known.delete(this.known.keys().next().value as string);
  }

  get(streamName: string): KnownStream<State> | undefined {
    return this.known.get(streamName);
  }

  /** After an append refused at the known revision: the stream moved on without this process. */
  forget(streamName: string): void {
    this.known.delete(streamName);
  }
}
