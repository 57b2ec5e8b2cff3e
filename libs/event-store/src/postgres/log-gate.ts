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
 *
 * An appender's id is read from the process array (`pg_stat_activity.backend_xid`) as well as
 * from its transaction-id lock: PostgreSQL publishes the id in the process array first and
 * takes the lock a moment later. Under load a reader could fall in that gap, miss the
 * appender, set the gate above its id and step past its events for good (one identity in
 * 9,000 never projected). The process array has the id from the instant it exists.
 */
export async function logGate(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ xmax: string; appenders: string[] }>(
    `WITH holders AS (
       SELECT a.pid FROM pg_locks a
        WHERE a.locktype = 'advisory' AND a.granted
          AND a.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND a.classid = $1 AND a.objid = $2 AND a.objsubid = 2)
     SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax,
            coalesce((SELECT array_agg(x::text) FROM (
                        SELECT t.transactionid AS x
                          FROM holders h
                          JOIN pg_locks t ON t.pid = h.pid AND t.locktype = 'transactionid'
                                         AND t.mode = 'ExclusiveLock' AND t.granted
                        UNION
                        SELECT s.backend_xid
                          FROM holders h JOIN pg_stat_activity s ON s.pid = h.pid
                         WHERE s.backend_xid IS NOT NULL) ids), '{}') AS appenders`,
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
