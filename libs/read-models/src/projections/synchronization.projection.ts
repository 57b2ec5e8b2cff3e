import type { NonConformingResourceFound, SynchronizationCompleted } from '@prov/domain';
import type { Projection } from './projection';

/**
 * The last synchronization of each connection and the non-conforming resources it found.
 * A completed run replaces the connection's earlier findings with the ones recorded in it.
 */
export const synchronizationProjection: Projection = {
  name: 'synchronizations',
  streamPrefixes: ['sync-'],
  async apply(client, schema, event) {
    if (event.type === 'NonConformingResourceFound') {
      const data = (event as unknown as NonConformingResourceFound).data;
      await client.query(
        `INSERT INTO ${schema}.non_conforming
           (connection_id, account_key, group_name, attribute_name, kind, drift, assignment_ids, found_at, synchronization_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (connection_id, account_key, group_name, attribute_name)
         DO UPDATE SET found_at = EXCLUDED.found_at, kind = EXCLUDED.kind, drift = EXCLUDED.drift,
           assignment_ids = EXCLUDED.assignment_ids, synchronization_id = EXCLUDED.synchronization_id`,
        [
          data.connectionId,
          data.accountKey,
          data.group ?? '',
          data.attribute ?? '',
          data.kind,
          data.drift ?? 'unexpected',
          JSON.stringify(data.assignmentIds ?? []),
          data.at,
          data.synchronizationId,
        ],
      );
    } else if (event.type === 'SynchronizationCompleted') {
      const data = (event as unknown as SynchronizationCompleted).data;
      await client.query(
        `DELETE FROM ${schema}.non_conforming WHERE connection_id = $1 AND synchronization_id <> $2`,
        [data.connectionId, data.synchronizationId],
      );
      await client.query(
        `INSERT INTO ${schema}.synchronizations (connection_id, last_synchronized_at, accounts, memberships, verified, non_conforming)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (connection_id) DO UPDATE SET last_synchronized_at = EXCLUDED.last_synchronized_at,
           accounts = EXCLUDED.accounts, memberships = EXCLUDED.memberships, verified = EXCLUDED.verified,
           non_conforming = EXCLUDED.non_conforming`,
        [
          data.connectionId,
          data.at,
          data.accounts,
          data.memberships,
          data.verifiedOrders,
          data.nonConforming,
        ],
      );
    }
  },
};
