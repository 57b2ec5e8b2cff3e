import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool, PoolClient } from 'pg';

/** How often a standby asks for the lock (ADR 0021): the upper bound of a takeover after a crash. */
export const DEFAULT_STANDBY_POLL_MS = 500;

/**
 * The PostgreSQL advisory-lock key of a name. Every singleton of the engine (reactions, the
 * projector, the timers, the complete job) is a session lock on `hashtext(name)`, so the names
 * below are the whole registry of them and two copies of a service agree on the key.
 */
const TRY_LOCK = 'SELECT pg_try_advisory_lock(hashtext($1)) AS locked';
const UNLOCK = 'SELECT pg_advisory_unlock(hashtext($1))';

/**
 * Classes of the two-key locks `(class, hashtext(name))`, taken per id of something rather than
 * once per service. PostgreSQL keeps the two-key space apart from the one-key space of the
 * singletons, so a lock per id whose hash meets a singleton's (held for as long as its leader
 * runs) is never refused because of it; the class keeps apart the ids of different things.
 */
export const ADVISORY_LOCK_CLASS = {
  /** A replica recording a synchronization report (ADR 0074), keyed by its synchronizationId. */
  synchronizationClaim: 74,
} as const;
export type AdvisoryLockClass = (typeof ADVISORY_LOCK_CLASS)[keyof typeof ADVISORY_LOCK_CLASS];

/** The statements taking and releasing one lock, and their parameters. */
interface LockKey {
  tryLock: string;
  unlock: string;
  params: unknown[];
}

function keyOf(name: string, keyClass?: AdvisoryLockClass): LockKey {
  if (keyClass === undefined) return { tryLock: TRY_LOCK, unlock: UNLOCK, params: [name] };
  return {
    tryLock: 'SELECT pg_try_advisory_lock($2::int, hashtext($1)) AS locked',
    unlock: 'SELECT pg_advisory_unlock($2::int, hashtext($1))',
    params: [name, keyClass],
  };
}

/** A session advisory lock held on its own connection; released with the connection. */
export interface HeldLock {
  readonly name: string;
  /** Resolves when the lock's connection breaks: from then on another copy may hold the lock. */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the lock if it is free, on a connection of its own that stays checked out while held.
 * Undefined when another session holds it. A copy killed with -9 loses the lock as soon as
 * PostgreSQL sees its socket close, which is what makes the takeover fast. With `keyClass`, the
 * two-key lock `(keyClass, hashtext(name))` (see {@link ADVISORY_LOCK_CLASS}).
 */
export async function tryAdvisoryLock(
  pool: Pool,
  name: string,
  keyClass?: AdvisoryLockClass,
): Promise<HeldLock | undefined> {
  const key = keyOf(name, keyClass);
  const client = await pool.connect();
  let locked = false;
  try {
    locked = (await client.query<{ locked: boolean }>(key.tryLock, key.params)).rows[0].locked;
  } catch (error) {
    client.release(true);
    throw error;
  }
  if (!locked) {
    client.release();
    return undefined;
  }
  return holdOn(client, name, key);
}

function holdOn(client: PoolClient, name: string, key: LockKey): HeldLock {
  let released = false;
  let signalLost!: () => void;
  const lost = new Promise<void>((resolve) => (signalLost = resolve));
  const onBroken = () => signalLost();
  client.on('error', onBroken);
  client.on('end', onBroken);
  return {
    name,
    lost,
    async release() {
      if (released) return;
      released = true;
      client.off('error', onBroken);
      client.off('end', onBroken);
      try {
        await client.query(key.unlock, key.params);
        client.release();
      } catch {
        // A broken connection has lost the lock already; do not hand it back to the pool.
        client.release(true);
      }
    },
  };
}

/** Runs `work` when this copy gets the lock, releasing it after; undefined when another copy holds it. */
export async function withAdvisoryLock<T>(
  pool: Pool,
  name: string,
  work: () => Promise<T>,
): Promise<T | undefined> {
  const lock = await tryAdvisoryLock(pool, name);
  if (!lock) return undefined;
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

export interface LeadershipOptions {
  /** How often a standby tries again (default {@link DEFAULT_STANDBY_POLL_MS}). */
  standbyPollMs?: number;
  /** Called when a try fails for another reason than a held lock (PostgreSQL away). */
  onError?: (error: unknown) => void;
}

/**
 * Waits until this copy leads `name` (holds its lock) or `stopped()` turns true (then undefined).
 * Standbys poll: a session lock cannot be waited for with a timeout that also sees `stopped`.
 */
export async function awaitLeadership(
  pool: Pool,
  name: string,
  stopped: () => boolean,
  options: LeadershipOptions = {},
): Promise<HeldLock | undefined> {
  const pollMs = options.standbyPollMs ?? DEFAULT_STANDBY_POLL_MS;
  while (!stopped()) {
    try {
      const lock = await tryAdvisoryLock(pool, name);
      if (lock) {
        if (!stopped()) return lock;
        await lock.release();
        return undefined;
      }
    } catch (error) {
      options.onError?.(error);
    }
    await sleep(pollMs);
  }
  return undefined;
}

/**
 * True when no other session holds (or queues for) `name` exclusively. Asked inside a
 * transaction, the shared lock it takes stays held until that transaction ends, so a session
 * asking for `name` exclusively waits until then: a write guarded by this cannot overlap it.
 */
export async function advisoryLockFree(client: Pool | PoolClient, name: string): Promise<boolean> {
  const { rows } = await client.query<{ free: boolean }>(
    'SELECT pg_try_advisory_xact_lock_shared(hashtext($1)) AS free',
    [name],
  );
  return rows[0].free;
}

/**
 * Takes `name` exclusively, waiting up to `waitMs` for sessions that hold it shared for a moment
 * (see {@link advisoryLockFree}); undefined when it is still taken then.
 */
export async function waitForAdvisoryLock(
  pool: Pool,
  name: string,
  waitMs: number,
): Promise<HeldLock | undefined> {
  const client = await pool.connect();
  try {
    await client.query(`SELECT set_config('lock_timeout', $1, false)`, [
      `${Math.max(1, Math.round(waitMs))}ms`,
    ]);
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    } catch (error) {
      if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw error;
      await client.query('RESET lock_timeout');
      client.release();
      return undefined;
    }
    await client.query('RESET lock_timeout');
  } catch (error) {
    client.release(true);
    throw error;
  }
  return holdOn(client, name, keyOf(name));
}

/** PostgreSQL's lock_not_available: lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';
