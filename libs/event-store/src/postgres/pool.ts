/**
 * Adapters accept either a connection string (they then own, and end, their pool) or a pool the
 * application shares between the event store and its read models (which it ends itself).
 */
import { once } from 'node:events';
import { timeout, TimeoutStrategy } from 'cockatiel';
import { Pool, type PoolClient } from 'pg';

export type PostgresConnectionOptions =
  { connectionString: string; maxConnections?: number } | { pool: Pool };

export interface ResolvedPool {
  pool: Pool;
  /** Ends an owned pool and waits until its connections are really closed; leaves a shared pool alone. */
  end(): Promise<void>;
}

export function resolvePool(options: PostgresConnectionOptions): ResolvedPool {
  if ('pool' in options) return { pool: options.pool, end: async () => undefined };
  const pool = new Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10 });
  // An idle connection that dies (server restart) emits 'error' on the pool; without a listener
  // that would crash the process, while the pool simply opens a new connection on next use.
  pool.on('error', () => undefined);
  // pg's Pool.end() resolves before the sockets are closed. Callers that stop the server right
  // after close() (tests, benchmarks) would then see "terminating connection" errors, so the
  // connections are tracked and awaited.
  const open = new Set<PoolClient>();
  pool.on('connect', (client) => {
    // A checked-out connection that dies between statements emits 'error' on its client.
    client.on('error', () => undefined);
    open.add(client);
    client.once('end', () => open.delete(client));
  });
  return {
    pool,
    async end() {
      const closing = Promise.all([...open].map((client) => once(client, 'end').catch(() => undefined)));
      await pool.end();
      // Bounded: a client the application still holds checked out would otherwise block close().
      await timeout(5_000, TimeoutStrategy.Aggressive)
        .dangerouslyUnref()
        .execute(() => closing)
        .catch(() => undefined);
    },
  };
}
