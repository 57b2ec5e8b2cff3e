import type { Pool } from 'pg';
import type { Assignment } from '@prov/domain';
import { assertSchemaName, LIVE_SCHEMA } from '../schema';
import { HANDED_OVER_STATES } from './state-codes';

/**
 * Live assignments whose end date has passed and that may still have something to end: an open
 * order, or an order whose change may be in the managed system, unless the current order already
 * removes it. The domain's `assignmentEnding` makes the final call on each folded state.
 */
export async function endedAssignments(
  pool: Pool,
  now: Date,
  limit = 500,
  schema = LIVE_SCHEMA,
): Promise<Assignment[]> {
  const s = assertSchemaName(schema);
  const { rows } = await pool.query<{ state: Assignment }>(
    `SELECT a.state FROM ${s}.assignments a
      WHERE a.workflow_state = 'Requested' AND a.ends_at IS NOT NULL AND a.ends_at <= $1
        AND NOT EXISTS (SELECT 1 FROM ${s}.orders c WHERE c.order_id = a.current_order_id AND c.change_type = 'Deleted')
        AND EXISTS (SELECT 1 FROM ${s}.orders o WHERE o.assignment_id = a.assignment_id
                     AND (o.is_open OR (o.provisioning_state_code IN (${HANDED_OVER_STATES}) AND o.change_type <> 'Deleted')))
      ORDER BY a.ends_at, a.assignment_id LIMIT $2`,
    [now, limit],
  );
  return rows.map((row) => row.state);
}

/** When each connection was last read back (by an agent, or a manual synchronization). */
export async function lastSynchronizations(pool: Pool, schema = LIVE_SCHEMA): Promise<Map<string, Date>> {
  const s = assertSchemaName(schema);
  const { rows } = await pool.query<{ connection_id: string; last_synchronized_at: Date }>(
    `SELECT connection_id, last_synchronized_at FROM ${s}.synchronizations`,
  );
  return new Map(rows.map((row) => [row.connection_id, new Date(row.last_synchronized_at)]));
}
