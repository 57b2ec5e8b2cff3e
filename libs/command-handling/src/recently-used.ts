/**
 * A map of at most `capacity` entries that lets the least recently used go first: the one bounded
 * cache behind what a process remembers of streams it read, wrote or projected (`KnownStreams`,
 * the orders service's `AssignmentCache`, the projector's `StateCache`). A Map keeps insertion
 * order, so re-inserting an entry on use makes the first key the one to let go. Hand-written
 * rather than `lru-cache`: the repository does not depend on it (only old transitive copies are
 * installed) and these few lines are all three callers need.
 */
export class RecentlyUsed<Key, Value> {
  private readonly entries = new Map<Key, Value>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a whole number of at least 1, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry, which now counts as the most recently used. */
  get(key: Key): Value | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) this.touch(key, value);
    return value;
  }

  /** The entry, without counting as a use (it keeps its place in line to be let go). */
  peek(key: Key): Value | undefined {
    return this.entries.get(key);
  }

  /** Sets the entry as the most recently used, letting the least recently used go beyond capacity. */
  set(key: Key, value: Value): void {
    this.touch(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as Key);
  }

  delete(key: Key): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  private touch(key: Key, value: Value): void {
    this.entries.delete(key);
    this.entries.set(key, value);
  }
}
