import { logEventsSql } from '@prov/event-store';

/**
 * The assignments projection's multi-row writes: each reads its rows from one JSON document, its
 * only parameter (see writeRows), so that the live projector can send them in one statement.
 */

export function upsertAssignmentsSql(schema: string): string {
  return `INSERT INTO ${schema}.assignments (assignment_id, identity_id, entitlement_id, workflow_state, starts_at, ends_at,
       requested_at, current_order_id, provisioning_state_code, state, updated_at, revision)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x (assignment_id text, identity_id text, entitlement_id text,
       workflow_state text, starts_at timestamptz, ends_at timestamptz, requested_at timestamptz, current_order_id text,
       provisioning_state_code int, state jsonb, updated_at timestamptz, revision bigint)
     ON CONFLICT (assignment_id) DO UPDATE SET workflow_state = EXCLUDED.workflow_state,
       starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, current_order_id = EXCLUDED.current_order_id,
       provisioning_state_code = EXCLUDED.provisioning_state_code, state = EXCLUDED.state,
       updated_at = EXCLUDED.updated_at, revision = EXCLUDED.revision`;
}

export function upsertOrdersSql(schema: string): string {
  return `INSERT INTO ${schema}.orders (order_id, assignment_id, identity_id, entitlement_id, connection_id, resource_type_id,
       fulfillment, change_type, changes, provisioning_state_code, attempt, last_error, is_open, generated_at, updated_at,
       postponed_until)
     SELECT order_id, assignment_id, identity_id, entitlement_id, connection_id, resource_type_id, fulfillment,
            change_type, changes, provisioning_state_code, attempt, last_error, is_open, generated_at, updated_at,
            postponed_until
       FROM jsonb_to_recordset($1::jsonb) AS x (order_id text, assignment_id text, identity_id text,
            entitlement_id text, connection_id text, resource_type_id text, fulfillment text, change_type text,
            changes jsonb, provisioning_state_code int, attempt int, last_error text, is_open boolean,
            generated_at timestamptz, updated_at timestamptz, postponed_until timestamptz)
     ON CONFLICT (order_id) DO UPDATE SET connection_id = EXCLUDED.connection_id,
       resource_type_id = EXCLUDED.resource_type_id, fulfillment = EXCLUDED.fulfillment,
       change_type = EXCLUDED.change_type, changes = EXCLUDED.changes,
       provisioning_state_code = EXCLUDED.provisioning_state_code, attempt = EXCLUDED.attempt,
       last_error = EXCLUDED.last_error, is_open = EXCLUDED.is_open, updated_at = EXCLUDED.updated_at,
       postponed_until = EXCLUDED.postponed_until`;
}

/** The history table's columns, in the order every write of it lists them. */
export const HISTORY_COLUMNS = [
  'assignment_id',
  'revision',
  'event_id',
  'event_type',
  'data',
  'metadata',
  'recorded_at',
] as const;

export function insertHistorySql(schema: string): string {
  return `INSERT INTO ${schema}.history (${HISTORY_COLUMNS.join(', ')})
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x (assignment_id text, revision bigint, event_id text,
       event_type text, data jsonb, metadata jsonb, recorded_at timestamptz)
     ON CONFLICT DO NOTHING`;
}

/**
 * History rows copied by the server from `events`, a SELECT over the store's table with the columns
 * of its `logRangeQuery`, each row as `insertHistorySql` would write it from the event (ADR 0038).
 * `prefix`: the assignment streams' prefix, left out of the assignment id.
 */
export function historyFromStoreSql(schema: string, prefix: string, events: string): string {
  return `INSERT INTO ${schema}.history (${HISTORY_COLUMNS.join(', ')})
     SELECT substr(x.stream_name, ${prefix.length + 1}), x.stream_revision, x.event_id, x.event_type, x.data, x.metadata,
            x.recorded_at
       FROM (${events}) x`;
}

/** The history rows of events the live projector has read, copied by their keys (`logEventKey`, ADR 0087). */
export function copyHistorySql(schema: string, prefix: string): string {
  const events = logEventsSql('jsonb_to_recordset($1::jsonb) AS k (global_position bigint)');
  return `${historyFromStoreSql(schema, prefix, events)} ON CONFLICT DO NOTHING`;
}
