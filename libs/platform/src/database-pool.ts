import { Logger } from '@nestjs/common';
import { Pool, type PoolConfig } from 'pg';
import { readHardeningSettings, readOperationsSettings } from '@prov/config';

/**
 * Idle time before the first TCP keepalive probe on a pooled connection. Node then probes every
 * second, ten times (libuv's settings), so a connection to a PostgreSQL host that crashed or was
 * cut off is known broken about 20 s after it fell silent, instead of after the kernel's 2 h.
 */
export const DATABASE_KEEPALIVE_DELAY_MS = 10_000;

/**
 * The options of a service's pool. Bounded waits: with PostgreSQL unreachable a request fails
 * fast (the gateway answers 503) instead of hanging, and a runaway statement is cancelled by the
 * server. Keepalives: an advisory-lock holder (a singleton's leader, a synchronization's
 * claimant, ADR 0074) keeps its connection idle for minutes; probed, it learns it lost the lock
 * when the link breaks, and no firewall or NAT drops it for being idle. That PostgreSQL sees a
 * dead client (and frees its locks) is the server's tcp_keepalives_* settings (docs/operations.md).
 */
export function databasePoolOptions(
  databaseUrl: string,
  service: string,
  env?: NodeJS.ProcessEnv,
): PoolConfig {
  const limits = readHardeningSettings(env);
  return {
    connectionString: databaseUrl,
    max: readOperationsSettings(env).databasePoolSize,
    application_name: `prov-${service}`,
    connectionTimeoutMillis: limits.databaseConnectTimeoutMs,
    statement_timeout: limits.databaseStatementTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: DATABASE_KEEPALIVE_DELAY_MS,
  };
}

/**
 * The service's PostgreSQL pool. A connection that breaks (PostgreSQL restarted, network cut)
 * emits 'error', also while checked out for a long time (advisory-lock holders); without a
 * listener that would end the process. It is logged instead, the query in flight fails, and
 * the loop that issued it reconnects. Connect and statement timeouts come from
 * DATABASE_CONNECT_TIMEOUT_MS and DATABASE_STATEMENT_TIMEOUT_MS.
 */
export function createPool(databaseUrl: string, service: string, env?: NodeJS.ProcessEnv): Pool {
  const logger = new Logger('Database');
  const pool = new Pool(databasePoolOptions(databaseUrl, service, env));
  const warn = (error: Error) =>
    logger.warn({ msg: 'database connection lost; reconnecting on next use', error: error.message });
  pool.on('error', warn);
  pool.on('connect', (client) => client.on('error', warn));
  return pool;
}
