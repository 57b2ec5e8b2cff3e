/**
 * How one connector's concurrent calls share work: orders of one account wait for each other
 * (targets without transactions must not interleave look-then-write steps), and a preparation
 * (a bind, tables, containers) is made once for all callers and tried again after a failure.
 */

/** Runs work one after the other per key; a failure does not hold up the next work of the key. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(work);
    const tail = current.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/**
 * `prepare` run by the first caller and its promise shared with every later one; a failed
 * attempt is forgotten, so that the next call tries again rather than failing for ever.
 */
export function retryableOnce<T>(prepare: () => Promise<T>): () => Promise<T> {
  let prepared: Promise<T> | undefined;
  return () => {
    prepared ??= prepare().catch((error: unknown) => {
      prepared = undefined;
      throw error;
    });
    return prepared;
  };
}
