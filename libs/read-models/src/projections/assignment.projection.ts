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
import { type CopyValue, copyRows } from '../copy-rows';
import { foldAssignments, touchedOrders } from './assignment.fold';
import { type ApplyOptions, batchProjection, type StoreEventsQuery, streamId } from './projection';
import { readTouchedRows } from './stream-fold';

const PREFIX = 'assignment-';

/**
 * Assignments, their orders and their history. The state is folded with the domain's own
 * `evolve`, so the read model cannot disagree with the command side about a transition; the
 * folded state is kept on the row for the next event.
 *
 * Live and replay share one path: a batch of events is folded in memory (one SELECT of the
 * touched rows), then written with one multi-row upsert per table, so a rebuild does not pay a
 * round trip per event. In a bulk load the rows that are new are appended with COPY instead.
 */
export const assignmentProjection = batchProjection('assignments', PREFIX, applyAssignments, {
  copyFromStore: copyHistoryFromStore,
  byStream: { keys: (event) => touchedOrders(event.data) },
});

async function applyAssignments(
  client: PoolClient,
  schema: string,
  events: readonly RecordedEvent[],
  options: ApplyOptions = {},
): Promise<void> {
  const rows = await readTouchedRows<{ assignment_id: string; state: AssignmentState; revision: string }>(
    client,
    events,
    PREFIX,
    options.bulk === true,
    (lock) => `SELECT assignment_id, state, revision FROM ${schema}.assignments
      WHERE assignment_id = ANY($1::text[]) ORDER BY assignment_id ${lock}`,
  );
  const stored = new Map(
    rows.map((r) => [r.assignment_id, { state: r.state, revision: BigInt(r.revision) }]),
  );
  const folded = foldAssignments(stored, events, PREFIX, evolveAssignment, initialAssignmentState);
  if (options.copiedFromStore) {
    const applied = new Set(folded.history);
    options.copiedFromStore(events.filter((e) => !applied.has(e)));
  }
  const assignments = folded.assignments.map(assignmentRecord);
  const orders = folded.orders.map(orderRecord);
  if (options.bulk) {
    await copyRows(
      client,
      `${schema}.assignments`,
      ASSIGNMENT_COLUMNS,
      newRows(assignments, folded.assignments, ASSIGNMENT_COLUMNS),
    );
    await copyRows(client, `${schema}.orders`, ORDER_COLUMNS, newRows(orders, folded.orders, ORDER_COLUMNS));
    if (!options.copiedFromStore)
      await copyRows(
        client,
        `${schema}.history`,
        HISTORY_COLUMNS,
        folded.history.map(historyRecord).map((r) => HISTORY_COLUMNS.map((c) => r[c])),
      );
    await upsertAssignments(
      client,
      schema,
      assignments.filter((_, i) => folded.assignments[i].existed),
    );
    await upsertOrders(
      client,
      schema,
      orders.filter((_, i) => folded.orders[i].existed),
    );
    return;
  }
  await upsertAssignments(client, schema, assignments);
  await upsertOrders(client, schema, orders);
  if (!options.copiedFromStore) await insertHistory(client, schema, folded.history.map(historyRecord));
}

type Row = Record<string, CopyValue>;

/** The records of rows that did not exist before the batch, as COPY lines. */
function newRows(
  records: readonly Row[],
  folded: readonly { existed: boolean }[],
  columns: readonly string[],
) {
  return records.filter((_, i) => !folded[i].existed).map((r) => columns.map((c) => r[c]));
}

function eventTime(event: RecordedEvent): string {
  const at = (event.data as { at?: unknown }).at;
  return typeof at === 'string' ? at : event.createdAt.toISOString();
}

const ASSIGNMENT_COLUMNS = [
  'assignment_id',
  'identity_id',
  'entitlement_id',
  'workflow_state',
  'starts_at',
  'ends_at',
  'requested_at',
  'current_order_id',
  'provisioning_state_code',
  'state',
  'updated_at',
  'revision',
] as const;

function assignmentRecord({ state, event }: { state: Assignment; event: RecordedEvent }): Row {
  const order = currentOrder(state);
  return {
    assignment_id: state.assignmentId,
    identity_id: state.identityId,
    entitlement_id: state.entitlementId,
    workflow_state: state.workflowState,
    starts_at: state.startsAt ?? null,
    ends_at: state.endsAt ?? null,
    requested_at: state.requestedAt,
    current_order_id: order?.orderId ?? null,
    provisioning_state_code: order?.stateCode ?? ProvisioningState.None,
    state,
    updated_at: eventTime(event),
    revision: event.revision.toString(),
  };
}

const ORDER_COLUMNS = [
  'order_id',
  'assignment_id',
  'identity_id',
  'entitlement_id',
  'connection_id',
  'resource_type_id',
  'fulfillment',
  'change_type',
  'changes',
  'provisioning_state_code',
  'attempt',
  'last_error',
  'is_open',
  'generated_at',
  'updated_at',
  'postponed_until',
] as const;

function orderRecord({
  state,
  order,
  generatedAt,
}: {
  state: Assignment;
  order: ProvisioningOrder;
  generatedAt: string;
}): Row {
  return {
    order_id: order.orderId,
    assignment_id: state.assignmentId,
    identity_id: state.identityId,
    entitlement_id: state.entitlementId,
    connection_id: order.connectionId ?? null,
    resource_type_id: order.resourceTypeId ?? null,
    fulfillment: order.fulfillment ?? null,
    change_type: order.changeType ?? null,
    changes: order.changes,
    provisioning_state_code: order.stateCode,
    attempt: order.attempt,
    last_error: order.lastError ?? null,
    is_open: order.open,
    generated_at: generatedAt,
    updated_at: order.updatedAt,
    postponed_until: postponedUntil(order) ?? null,
  };
}

const HISTORY_COLUMNS = [
  'assignment_id',
  'revision',
  'event_id',
  'event_type',
  'data',
  'metadata',
  'recorded_at',
] as const;

function historyRecord(e: RecordedEvent): Row {
  return {
    assignment_id: streamId(e.streamName, PREFIX),
    revision: e.revision.toString(),
    event_id: e.id,
    event_type: e.type,
    data: e.data as CopyValue,
    metadata: e.metadata,
    recorded_at: e.createdAt,
  };
}

/**
 * The history rows of a whole bulk load, copied by the server from the store's table in one
 * statement: the events' payloads are neither sent back from this process nor parsed again.
 * The query leaves out the events the fold did not apply (none in a load from zero, but the
 * rule is the fold's).
 */
async function copyHistoryFromStore(
  client: PoolClient,
  schema: string,
  { sql, params }: StoreEventsQuery,
): Promise<void> {
  await client.query(
    `INSERT INTO ${schema}.history (${HISTORY_COLUMNS.join(', ')})
     SELECT substr(x.stream_name, ${PREFIX.length + 1}), x.stream_revision, x.event_id, x.event_type, x.data, x.metadata,
            x.recorded_at
       FROM (${sql}) x`,
    params,
  );
}

/**
 * Rows travel as one JSON document read by jsonb_to_recordset: pg's text[]/jsonb[] parameters
 * escape every character of every element in JavaScript, which cost more than the writes.
 */
async function upsertAssignments(client: PoolClient, schema: string, records: readonly Row[]): Promise<void> {
  if (records.length === 0) return;
  await client.query(
    `INSERT INTO ${schema}.assignments (assignment_id, identity_id, entitlement_id, workflow_state, starts_at, ends_at,
       requested_at, current_order_id, provisioning_state_code, state, updated_at, revision)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x (assignment_id text, identity_id text, entitlement_id text,
       workflow_state text, starts_at timestamptz, ends_at timestamptz, requested_at timestamptz, current_order_id text,
       provisioning_state_code int, state jsonb, updated_at timestamptz, revision bigint)
     ON CONFLICT (assignment_id) DO UPDATE SET workflow_state = EXCLUDED.workflow_state,
       starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, current_order_id = EXCLUDED.current_order_id,
       provisioning_state_code = EXCLUDED.provisioning_state_code, state = EXCLUDED.state,
       updated_at = EXCLUDED.updated_at, revision = EXCLUDED.revision`,
    [JSON.stringify(records)],
  );
}

async function upsertOrders(client: PoolClient, schema: string, records: readonly Row[]): Promise<void> {
  if (records.length === 0) return;
  await client.query(
    `INSERT INTO ${schema}.orders (order_id, assignment_id, identity_id, entitlement_id, connection_id, resource_type_id,
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
       postponed_until = EXCLUDED.postponed_until`,
    [JSON.stringify(records)],
  );
}

async function insertHistory(client: PoolClient, schema: string, records: readonly Row[]): Promise<void> {
  if (records.length === 0) return;
  await client.query(
    `INSERT INTO ${schema}.history (assignment_id, revision, event_id, event_type, data, metadata, recorded_at)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x (assignment_id text, revision bigint, event_id text,
       event_type text, data jsonb, metadata jsonb, recorded_at timestamptz)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(records)],
  );
}
