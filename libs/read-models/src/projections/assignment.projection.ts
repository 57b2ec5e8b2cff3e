import type { PoolClient } from 'pg';
import {
  type Assignment,
  type AssignmentEvent,
  type AssignmentState,
  currentOrder,
  evolveAssignment,
  initialAssignmentState,
  type ProvisioningOrder,
  postponedUntil,
  ProvisioningState,
} from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { type Projection, streamId } from './projection';

const PREFIX = 'assignment-';

/**
 * Assignments, their orders and their history. The state is folded with the domain's own
 * `evolve`, so the read model cannot disagree with the command side about a transition; the
 * folded state is kept on the row for the next event.
 */
export const assignmentProjection: Projection = {
  name: 'assignments',
  streamPrefixes: [PREFIX],
  async apply(client, schema, event) {
    const assignmentId = streamId(event.streamName, PREFIX);
    const { rows } = await client.query<{ state: AssignmentState; revision: string }>(
      `SELECT state, revision FROM ${schema}.assignments WHERE assignment_id = $1 FOR UPDATE`,
      [assignmentId],
    );
    if (rows[0] && BigInt(rows[0].revision) >= event.revision) return;
    const previous = rows[0]?.state ?? initialAssignmentState();
    const domainEvent = { type: event.type, data: event.data } as AssignmentEvent;
    const next = evolveAssignment(previous, domainEvent);
    if (!next.exists) return;
    await upsertAssignment(client, schema, next, event);
    for (const orderId of touchedOrders(domainEvent)) {
      const order = next.orders[orderId];
      if (order) await upsertOrder(client, schema, next, order);
    }
    await client.query(
      `INSERT INTO ${schema}.history (assignment_id, revision, event_id, event_type, data, metadata, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [assignmentId, event.revision.toString(), event.id, event.type, event.data, event.metadata, event.createdAt],
    );
  },
};

function touchedOrders(event: AssignmentEvent): string[] {
  const data = event.data as { orderId?: string; supersededBy?: string };
  return [data.orderId, data.supersededBy].filter((id): id is string => typeof id === 'string');
}

function eventTime(event: RecordedEvent): string {
  const at = (event.data as { at?: unknown }).at;
  return typeof at === 'string' ? at : event.createdAt.toISOString();
}

async function upsertAssignment(client: PoolClient, schema: string, state: Assignment, event: RecordedEvent) {
  const order = currentOrder(state);
  await client.query(
    `INSERT INTO ${schema}.assignments (assignment_id, identity_id, entitlement_id, workflow_state, starts_at, ends_at,
       requested_at, current_order_id, provisioning_state_code, state, updated_at, revision)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (assignment_id) DO UPDATE SET workflow_state = EXCLUDED.workflow_state,
       starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, current_order_id = EXCLUDED.current_order_id,
       provisioning_state_code = EXCLUDED.provisioning_state_code, state = EXCLUDED.state,
       updated_at = EXCLUDED.updated_at, revision = EXCLUDED.revision`,
    [
      state.assignmentId,
      state.identityId,
      state.entitlementId,
      state.workflowState,
      state.startsAt ?? null,
      state.endsAt ?? null,
      state.requestedAt,
      order?.orderId ?? null,
      order?.stateCode ?? ProvisioningState.None,
      JSON.stringify(state),
      eventTime(event),
      event.revision.toString(),
    ],
  );
}

async function upsertOrder(client: PoolClient, schema: string, state: Assignment, order: ProvisioningOrder) {
  await client.query(
    `INSERT INTO ${schema}.orders (order_id, assignment_id, identity_id, entitlement_id, connection_id, resource_type_id,
       fulfillment, change_type, changes, provisioning_state_code, attempt, last_error, is_open, generated_at, updated_at,
       postponed_until)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)
     ON CONFLICT (order_id) DO UPDATE SET connection_id = EXCLUDED.connection_id,
       resource_type_id = EXCLUDED.resource_type_id, fulfillment = EXCLUDED.fulfillment,
       change_type = EXCLUDED.change_type, changes = EXCLUDED.changes,
       provisioning_state_code = EXCLUDED.provisioning_state_code, attempt = EXCLUDED.attempt,
       last_error = EXCLUDED.last_error, is_open = EXCLUDED.is_open, updated_at = EXCLUDED.updated_at,
       postponed_until = EXCLUDED.postponed_until`,
    [
      order.orderId,
      state.assignmentId,
      state.identityId,
      state.entitlementId,
      order.connectionId ?? null,
      order.resourceTypeId ?? null,
      order.fulfillment ?? null,
      order.changeType ?? null,
      JSON.stringify(order.changes),
      order.stateCode,
      order.attempt,
      order.lastError ?? null,
      order.open,
      order.updatedAt,
      postponedUntil(order) ?? null,
    ],
  );
}
