/**
 * How one connector's concurrent calls share work: orders of one account wait for each other
 * (targets without transactions must not interleave look-then-write steps), and a preparation
 * (a bind, tables, containers) is made once for all callers and tried again after a failure.
 */

import { GroupCommit } from '@prov/gathering';

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

/** One key's gathering, and how many of its items wait for an answer. */
interface KeyGathering<Item> {
  commit: GroupCommit<Item, unknown>;
  waiting: number;
}

/**
 * Writes the items of one key together: items that come in the same turn of the event loop, or
 * while the key's previous write is out, go in the next write, one write per key at a time and at
 * most `maxItems` each. A target that applies writes of one entry one after the other (a group's
 * member list in a directory) then gets one write per round trip instead of one per item; idle,
 * an item goes alone on the next turn. Each caller gets its item's own answer. Per key it is the
 * event store's group commit with one group in flight; unlike `KeyedQueue`, which runs each
 * caller's own work in turn, the callers here share one write.
 */
export class KeyedGathering<Item> {
  private readonly keys = new Map<string, KeyGathering<Item>>();

  constructor(
    private readonly write: GatheredWrite<Item>,
    private readonly maxItems: number,
    /** How long a key's next write waits after one took `writeMs` (GroupCommit's `restAfter`). */
    private readonly restAfter?: (writeMs: number) => number,
  ) {}

  async run(key: string, item: Item): Promise<void> {
    const gathered = this.keys.get(key) ?? this.open(key);
    gathered.waiting += 1;
    try {
      await gathered.commit.submit(item);
    } finally {
      gathered.waiting -= 1;
      this.forgetIdle(key, gathered);
    }
  }

  /** A key nothing waits for and whose writes are done (rest included) starts anew next time. */
  private forgetIdle(key: string, gathered: KeyGathering<Item>): void {
    if (gathered.waiting === 0 && gathered.commit.idle && this.keys.get(key) === gathered)
      this.keys.delete(key);
  }

  private open(key: string): KeyGathering<Item> {
    const commit = new GroupCommit<Item, unknown>(
      async (items) =>
        (await this.write(key, items)).map((answer, index) =>
          answer?.status === 'fulfilled'
            ? { ok: true, value: answer.value }
            : {
                ok: false,
                error:
                  (answer?.reason as unknown) ?? new Error(`no answer for item ${index} of ${items.length}`),
              },
        ),
      {
        maxInFlight: 1,
        maxWeight: this.maxItems,
        restAfter: this.restAfter,
        onIdle: () => this.forgetIdle(key, gathered),
      },
    );
    const gathered: KeyGathering<Item> = { commit, waiting: 0 };
    this.keys.set(key, gathered);
    return gathered;
  }
}
