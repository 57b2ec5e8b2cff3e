import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

/** What the guard reads back from a storage (the library does not export its name). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * When each counted hit stops counting, soonest first. Hits are counted in the order they come and
 * every hit of one limit lives as long, so their expiries arrive sorted: the expired ones are
 * always at the front and leave from there, without looking at the others. An expiry that comes
 * earlier than the last (a limit whose window differs per route, or a clock set back) is put in
 * its place, so the order holds whatever the callers do.
 */
class HitQueue {
  private expiries: number[] = [];
  private head = 0;

  get size(): number {
    return this.expiries.length - this.head;
  }

  /** The first hit to stop counting (Infinity when none counts). */
  get first(): number {
    return this.size > 0 ? this.expiries[this.head] : Infinity;
  }

  push(expiresAt: number): void {
    const { expiries } = this;
    if (expiries.length === this.head || expiresAt >= expiries[expiries.length - 1]) {
      expiries.push(expiresAt);
      return;
    }
    let low = this.head;
    let high = expiries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (expiries[middle] <= expiresAt) low = middle + 1;
      else high = middle;
    }
    expiries.splice(low, 0, expiresAt);
  }

  /** Drops the hits that stopped counting by `now`. */
  prune(now: number): void {
    while (this.head < this.expiries.length && this.expiries[this.head] <= now) this.head += 1;
    // Compacted only when at least half is gone: each hit is copied a bounded number of times.
    if (this.head > 1024 && this.head * 2 > this.expiries.length) {
      this.expiries = this.expiries.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.expiries = [];
    this.head = 0;
  }
}

interface CallerRecord {
  /** End of the window shown in the Reset header; a new one starts when it has passed. */
  expiresAt: number;
  blockExpiresAt: number;
  isBlocked: boolean;
  hits: Map<string, HitQueue>;
}

/**
 * @nestjs/throttler's counting with the same answers as its in-memory storage (a hit counts for
 * the limit's window; over the limit the caller is blocked for the block duration, after which its
 * count starts again), at a constant cost per hit. The library's storage copies every live hit of
 * the caller on each request: at 200 writes a second and a minute's window, 12,000 numbers per
 * write, a tenth of the gateway's CPU. Without a block duration it also finds the first to expire
 * by spreading them all into Math.min, which throws past about 120,000 (ADR 0075).
 */
export class HitQueueStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly records = new Map<string, CallerRecord>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly now: () => number = Date.now,
    sweepIntervalMs = 60_000,
  ) {
    // Started here, outside any request: a timer made during the first request would keep that
    // request's async context (its trace) for the life of the process.
    this.sweep = setInterval(() => this.evictIdle(), sweepIntervalMs);
    this.sweep.unref();
  }

  /** Callers held in memory: those with a live hit, window or block. */
  get callers(): number {
    return this.records.size;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    let record = this.records.get(key);
    if (!record) {
      record = { expiresAt: now + ttl, blockExpiresAt: 0, isBlocked: false, hits: new Map() };
      this.records.set(key, record);
    }
    let hits = record.hits.get(throttlerName);
    if (!hits) record.hits.set(throttlerName, (hits = new HitQueue()));
    hits.prune(now);
    if (record.expiresAt - now <= 0) record.expiresAt = now + ttl;
    const timeToExpire = seconds(record.expiresAt - now);

    if (blockDuration <= 0) {
      const isBlocked = hits.size >= limit;
      if (!isBlocked) hits.push(now + ttl);
      return {
        totalHits: hits.size + (isBlocked ? 1 : 0),
        timeToExpire,
        isBlocked,
        timeToBlockExpire: !isBlocked ? 0 : hits.size > 0 ? seconds(hits.first - now) : timeToExpire,
      };
    }
    if (!record.isBlocked) hits.push(now + ttl);
    if (hits.size > limit && !record.isBlocked) {
      record.isBlocked = true;
      record.blockExpiresAt = now + blockDuration;
    }
    const timeToBlockExpire = seconds(record.blockExpiresAt - now);
    if (timeToBlockExpire <= 0 && record.isBlocked) {
      record.isBlocked = false;
      hits.clear();
      hits.push(now + ttl);
    }
    return { totalHits: hits.size, timeToExpire, isBlocked: record.isBlocked, timeToBlockExpire };
  }

  /** Forgets callers with nothing live: no hit, window or block. */
  evictIdle(now = this.now()): void {
    for (const [key, record] of this.records) {
      if (record.isBlocked && record.blockExpiresAt > now) continue;
      if (record.expiresAt > now) continue;
      let live = false;
      for (const hits of record.hits.values()) {
        hits.prune(now);
        live ||= hits.size > 0;
      }
      if (!live) this.records.delete(key);
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweep);
    this.sweep = undefined;
    this.records.clear();
  }
}

function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}
