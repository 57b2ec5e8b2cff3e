/**
 * Adapters accept either a connection string (they then own, and end, their pool) or a pool the
 * application shares between the event store and its read models (which it ends itself).
 */
import { Pool } from 'pg';

export type PostgresConnectionOptions = { connectionString: string; maxConnections?: number } | { pool: Pool };

export function resolvePool(options: PostgresConnectionOptions): { pool: Pool; owned: boolean } {
  if ('pool' in options) return { pool: options.pool, owned: false };
  const pool = new Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10 });
  // An idle connection that dies (server restart) emits 'error' on the pool; without a listener
  // that would crash the process, while the pool simply opens a new connection on next use.
  pool.on('error', () => undefined);
  return { pool, owned: true };
}
