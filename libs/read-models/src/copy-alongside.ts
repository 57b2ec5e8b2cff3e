import type { Pool } from 'pg';
import { logBelowGateQuery } from '@prov/event-store';
import { copiesFromStore, INDEX_BUILD_MEMORY } from './bulk-load';
import type { Projection } from './projections/projection';

/**
 * The rows that repeat events, copied while a load by stream runs (ADR 0079). `keep` commits them;
 * `drop` rolls them back (the load then copies them at its end, as before).
 */
export interface StoreCopyAlongside {
  /** Waits for the copy and commits it; throws what the copy threw. */
  keep(): Promise<void>;
  /** Waits for the copy to end and rolls it back; never throws. */
  drop(): Promise<void>;
}

/**
 * Connections a load by stream holds at once with a copy alongside: the stream reader's, the copy's
 * and one writer's (a second writer waits for a connection if the pool has no more).
 */
const CONNECTIONS_ALONGSIDE = 3;

/**
 * Starts copying, on a connection of its own, the rows that repeat the events below `gate` of the
 * projections that copy from the store (the history, then its key), while the load reads and folds the same
 * events by stream: the server's scan and insert of every event then overlap the load instead of
 * following it, alone on one core (ADR 0079). The transaction stays open until `keep` or `drop`:
 * rows whose events the load did not apply (`BulkLoad.notApplied`, known only at its end) are not
 * to be kept, and whether there are any decides. Undefined when the pool cannot spare the connection.
 */
export function copyFromStoreAlongside(
  pool: Pool,
  schema: string,
  projections: readonly Projection[],
  gate: string,
): StoreCopyAlongside | undefined {
  const copying = projections.filter(copiesFromStore);
  if (copying.length === 0 || (pool.options.max ?? 10) < CONNECTIONS_ALONGSIDE) return undefined;
  const connected = pool.connect();
  const copied = connected.then(async (client) => {
    await client.query('BEGIN');
    // As a bulk page: nobody reads the schema before the load's last transaction commits.
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query(`SET LOCAL maintenance_work_mem = '${INDEX_BUILD_MEMORY}'`);
    for (const projection of copying)
      await projection.copyFromStore!(
        client,
        schema,
        logBelowGateQuery(gate, { streamNamePrefix: projection.streamPrefixes[0] }),
      );
  });
  copied.catch(() => undefined);
  // Ended once: a `drop` after `keep` (the load failed later) must not send a ROLLBACK down a
  // connection that is back in the pool, maybe in someone else's transaction.
  let ended = false;
  const end = async (command: 'COMMIT' | 'ROLLBACK') => {
    if (ended) return;
    ended = true;
    const client = await connected;
    try {
      await client.query(command);
      client.release();
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  };
  return {
    async keep() {
      try {
        await copied;
      } catch (error) {
        await end('ROLLBACK').catch(() => undefined);
        throw error;
      }
      await end('COMMIT');
    },
    async drop() {
      await copied.catch(() => undefined);
      await end('ROLLBACK').catch(() => undefined);
    },
  };
}
