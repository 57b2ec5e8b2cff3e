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

/** What `KeyedGathering` writes: one answer per item, in the items' order. */
export type GatheredWrite<Item> = (key: string, items: Item[]) => Promise<PromiseSettledResult<unknown>[]>;

interface Gathered<Item> {
  items: { item: Item; resolve: () => void; reject: (error: unknown) => void }[];
  writing: boolean;
  scheduled: boolean;
}

/**
 * Writes the items of one key together: items that come in the same turn of the event loop, or
 * while the key's previous write is out, go in the next write, one write per key at a time and at
 * most `maxItems` each. A target that applies writes of one entry one after the other (a group's
 * member list in a directory) then gets one write per round trip instead of one per item; idle,
 * an item goes alone on the next turn. Each caller gets its item's own answer.
 */
export class KeyedGathering<Item> {
  private readonly keys = new Map<string, Gathered<Item>>();

  constructor(
    private readonly write: GatheredWrite<Item>,
    private readonly maxItems: number,
  ) {}

  run(key: string, item: Item): Promise<void> {
    let gathered = this.keys.get(key);
    if (!gathered) {
      gathered = { items: [], writing: false, scheduled: false };
      this.keys.set(key, gathered);
    }
    const waiting = gathered;
    return new Promise<void>((resolve, reject) => {
      waiting.items.push({ item, resolve, reject });
      if (waiting.writing || waiting.scheduled) return;
      waiting.scheduled = true;
      setImmediate(() => {
        waiting.scheduled = false;
        void this.flush(key, waiting);
      });
    });
  }

  private async flush(key: string, gathered: Gathered<Item>): Promise<void> {
    gathered.writing = true;
    while (gathered.items.length > 0) {
      const batch = gathered.items.splice(0, this.maxItems);
      try {
        const answers = await this.write(
          key,
          batch.map((waiting) => waiting.item),
        );
        batch.forEach((waiting, index) => {
          const answer = answers[index];
          if (answer?.status === 'fulfilled') waiting.resolve();
          else waiting.reject(answer?.reason ?? new Error(`no answer for item ${index} of ${batch.length}`));
        });
      } catch (error) {
        batch.forEach((waiting) => waiting.reject(error));
      }
    }
    gathered.writing = false;
    if (this.keys.get(key) === gathered) this.keys.delete(key);
  }
}
