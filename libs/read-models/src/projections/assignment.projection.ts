import type { PoolClient } from 'pg';
import {
  type Assignment,
  type AssignmentState,
  currentOrder,
  evolveAssignment,
  initialAssignmentState,
  type ProvisioningOrder,
  postponedUntil,
  ProvisioningState,
} from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { foldAssignments } from './assignment.fold';
import { type Projection, streamId } from './projection';

const PREFIX = 'assignment-';

/**
 * Assignments, their orders and their history. The state is folded with the domain's own
 * `evolve`, so the read model cannot disagree with the command side about a transition; the
 * folded state is kept on the row for the next event.
 *
 * Live and replay share one path: a batch of events is folded in memory (one SELECT of the
 * touched rows), then written with one multi-row upsert per table, so a rebuild does not pay a
 * round trip per event.
 */
export const assignmentProjection: Projection = {
  name: 'assignments',
  streamPrefixes: [PREFIX],
  apply(client, schema, event) {
    return applyAssignments(client, schema, [event]);
  },
  applyMany: applyAssignments,
};

async function applyAssignments(client: PoolClient, schema: string, events: readonly RecordedEvent[]): Promise<void> {
  const ids = [...new Set(events.map((e) => streamId(e.streamName, PREFIX)))];
  const { rows } = await client.query<{ assignment_id: string; state: AssignmentState; revision: string }>(
    `SELECT assignment_id, state, revision FROM ${schema}.assignments WHERE assignment_id = ANY($1::text[])
      ORDER BY assignment_id FOR UPDATE`,
    [ids],
  );
  const stored = new Map(rows.map((r) => [r.assignment_id, { state: r.state, revision: BigInt(r.revision) }]));
  const folded = foldAssignments(stored, events, PREFIX, evolveAssignment, initialAssignmentState);
  await upsertAssignments(client, schema, folded.assignments);
  await upsertOrders(client, schema, folded.orders);
  await insertHistory(client, schema, folded.history);
}

function eventTime(event: RecordedEvent): string {
  const at = (event.data as { at?: unknown }).at;
  return typeof at === 'string' ? at : event.createdAt.toISOString();
}

async function upsertAssignments(
  client: PoolClient,
  schema: string,
  rows: readonly { state: Assignment; event: RecordedEvent }[],
): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(f: (row: { state: Assignment; event: RecordedEvent; order?: ProvisioningOrder }) => T) =>
    rows.map((r) => f({ ...r, order: currentOrder(r.state) }));
  await client.query(
    `INSERT INTO ${schema}.assignments (assignment_id, identity_id, entitlement_id, workflow_state, starts_at, ends_at,
       requested_at, current_order_id, provisioning_state_code, state, updated_at, revision)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[],
       $7::timestamptz[], $8::text[], $9::int[], $10::jsonb[], $11::timestamptz[], $12::bigint[])
     ON CONFLICT (assignment_id) DO UPDATE SET workflow_state = EXCLUDED.workflow_state,
       starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, current_order_id = EXCLUDED.current_order_id,
       provisioning_state_code = EXCLUDED.provisioning_state_code, state = EXCLUDED.state,
       updated_at = EXCLUDED.updated_at, revision = EXCLUDED.revision`,
    [
      column((r) => r.state.assignmentId),
      column((r) => r.state.identityId),
      column((r) => r.state.entitlementId),
      column((r) => r.state.workflowState),
      column((r) => r.state.startsAt ?? null),
      column((r) => r.state.endsAt ?? null),
      column((r) => r.state.requestedAt),
      column((r) => r.order?.orderId ?? null),
      column((r) => r.order?.stateCode ?? ProvisioningState.None),
      column((r) => JSON.stringify(r.state)),
      column((r) => eventTime(r.event)),
      column((r) => r.event.revision.toString()),
    ],
  );
}

async function upsertOrders(
  client: PoolClient,
  schema: string,
  rows: readonly { state: Assignment; order: ProvisioningOrder }[],
): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(f: (row: { state: Assignment; order: ProvisioningOrder }) => T) => rows.map(f);
  await client.query(
    `INSERT INTO ${schema}.orders (order_id, assignment_id, identity_id, entitlement_id, connection_id, resource_type_id,
       fulfillment, change_type, changes, provisioning_state_code, attempt, last_error, is_open, generated_at, updated_at,
       postponed_until)
     SELECT o, a, i, e, c, r, f, ct, ch, p, at, le, op, u, u, pu
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::jsonb[], $10::int[], $11::int[], $12::text[], $13::boolean[], $14::timestamptz[], $15::timestamptz[])
            AS x (o, a, i, e, c, r, f, ct, ch, p, at, le, op, u, pu)
     ON CONFLICT (order_id) DO UPDATE SET connection_id = EXCLUDED.connection_id,
       resource_type_id = EXCLUDED.resource_type_id, fulfillment = EXCLUDED.fulfillment,
       change_type = EXCLUDED.change_type, changes = EXCLUDED.changes,
       provisioning_state_code = EXCLUDED.provisioning_state_code, attempt = EXCLUDED.attempt,
       last_error = EXCLUDED.last_error, is_open = EXCLUDED.is_open, updated_at = EXCLUDED.updated_at,
       postponed_until = EXCLUDED.postponed_until`,
    [
      column((r) => r.order.orderId),
      column((r) => r.state.assignmentId),
      column((r) => r.state.identityId),
      column((r) => r.state.entitlementId),
      column((r) => r.order.connectionId ?? null),
      column((r) => r.order.resourceTypeId ?? null),
      column((r) => r.order.fulfillment ?? null),
      column((r) => r.order.changeType ?? null),
      column((r) => JSON.stringify(r.order.changes)),
      column((r) => r.order.stateCode),
      column((r) => r.order.attempt),
      column((r) => r.order.lastError ?? null),
      column((r) => r.order.open),
      column((r) => r.order.updatedAt),
      column((r) => postponedUntil(r.order) ?? null),
    ],
  );
}

async function insertHistory(client: PoolClient, schema: string, events: readonly RecordedEvent[]): Promise<void> {
  if (events.length === 0) return;
  await client.query(
    `INSERT INTO ${schema}.history (assignment_id, revision, event_id, event_type, data, metadata, recorded_at)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::timestamptz[])
     ON CONFLICT DO NOTHING`,
    [
      events.map((e) => streamId(e.streamName, PREFIX)),
      events.map((e) => e.revision.toString()),
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => JSON.stringify(e.metadata)),
      events.map((e) => e.createdAt),
    ],
  );
}
