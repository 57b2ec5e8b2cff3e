import type { Pool } from 'pg';

/**
 * Pooled connections per concurrent recording: its claim's lock (held for the whole run), the
 * paged read-back's share-lock transaction, and its reads and verifications, which share the
 * rest with the service's other work.
 */
const CONNECTIONS_PER_RECORDING = 5;
/** node-postgres' own default when a pool is made without `max`. */
const PG_DEFAULT_POOL_SIZE = 10;

/** A slot's release; releasing twice frees one slot. */
export type ReleaseSlot = () => void;

/**
 * At most `size` synchronization reports recorded at once by this process (ADR 0074). Each
 * recording holds connections of the pool for minutes when its read-back is large; unbounded, a
 * few of them at once leave none for anything else, and every query then fails on the pool's
 * connect timeout. The others wait for a slot, first come first served, until their deadline.
 */
export class RecordingSlots {
  private free: number;
  private readonly queue: Array<(release: ReleaseSlot) => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`recording slots must be a positive integer, got ${size}`);
    this.free = size;
  }

  /** As many slots as `pool` has room for: one per {@link CONNECTIONS_PER_RECORDING}, at least one. */
  static forPool(pool: Pool): RecordingSlots {
    const poolSize = pool.options.max ?? PG_DEFAULT_POOL_SIZE;
    return new RecordingSlots(Math.max(1, Math.floor(poolSize / CONNECTIONS_PER_RECORDING)));
  }

  /** A slot, or undefined when none came free by `deadline` (ms since the epoch). */
  acquire(deadline: number): Promise<ReleaseSlot | undefined> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(this.releaser());
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const grant = (release: ReleaseSlot) => {
        clearTimeout(timer);
        resolve(release);
      };
      const timer = setTimeout(() => {
        this.queue.splice(this.queue.indexOf(grant), 1);
        resolve(undefined);
      }, remaining);
      this.queue.push(grant);
    });
  }

  private releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Handed on as it is, so a newcomer cannot take it before those already waiting.
      const next = this.queue.shift();
      if (next) next(this.releaser());
      else this.free++;
    };
  }
}
