import type { Pool } from 'pg';
import { APPENDER_LOCK } from './schema/migrations';

const XID32 = 1n << 32n;

/**
 * The transaction-id bound under which the global log can no longer change: the oldest
 * transaction still appending, or, when none is, the next transaction id to be handed out.
 *
 * Every append holds a shared advisory lock taken before its transaction has an id. So at the
 * moment this query runs, each appender either holds the lock (and its id, if it has one yet,
 * is counted), or will get an id at or above the snapshot's xmax. Reading events below the gate
 * in a later statement therefore sees every event below it, committed: none can appear there
 * afterwards. Unlike `pg_snapshot_xmin`, transactions that do not append (a long report, a
 * connector's lock on another database of the cluster) do not hold the log back.
 */
export async function logGate(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ xmax: string; appenders: string[] }>(
    `SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax,
            coalesce((SELECT array_agg(t.transactionid::text)
                        FROM pg_locks a
                        JOIN pg_locks t ON t.pid = a.pid AND t.locktype = 'transactionid'
                                       AND t.mode = 'ExclusiveLock' AND t.granted
                       WHERE a.locktype = 'advisory' AND a.granted
                         AND a.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                         AND a.classid = $1 AND a.objid = $2 AND a.objsubid = 2), '{}') AS appenders`,
    [APPENDER_LOCK.classid, APPENDER_LOCK.objid],
  );
  const xmax = BigInt(rows[0].xmax);
  let gate = xmax;
  for (const xid of rows[0].appenders) {
    const full = fullTransactionId(xmax, BigInt(xid));
    if (full < gate) gate = full;
  }
  return gate.toString();
}

/**
 * pg_locks shows 32-bit transaction ids; the log is ordered by 64-bit ones. A running
 * transaction's id is within 2^31 of `xmax`: below it, or above it when the transaction got its
 * id after the snapshot that gave `xmax`.
 */
export function fullTransactionId(xmax: bigint, xid32: bigint): bigint {
  let distance = ((((xmax % XID32) - xid32) % XID32) + XID32) % XID32;
  if (distance > XID32 / 2n) distance -= XID32;
  return xmax - distance;
}
