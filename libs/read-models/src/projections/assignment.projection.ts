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
import { logEventKey, type RecordedEvent } from '@prov/event-store';
import { type CopyValue, copyRows } from '../copy-rows';
import { historyKeyDdl } from '../schema';
import { type FoldedAssignments, foldAssignments, touchedOrders } from './assignment.fold';
import {
  copyHistorySql,
  HISTORY_COLUMNS,
  historyFromStoreSql,
  insertHistorySql,
  upsertAssignmentsSql,
  upsertOrdersSql,
} from './assignment.sql';
import {
  type ApplyOptions,
  batchProjection,
  type LivePlan,
  type PlanOptions,
  type RowsWrite,
  type StoreEventsQuery,
  streamId,
  writeRows,
} from './projection';
import { keepAfterWrite, keptStates, type StateCache } from './state-cache';
import { readTouchedRows, revisionsRead } from './stream-fold';

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
  planMany: planAssignments,
  byStream: { keys: (event) => touchedOrders(event.data) },
});

/**
 * Reads the rows the batch touches (`lock`: FOR UPDATE), but those of streams whose state `cache`
 * keeps, and folds the batch onto them.
 */
async function foldBatch(
  client: PoolClient,
  schema: string,
  events: readonly RecordedEvent[],
  bulk: boolean,
  lock = !bulk,
  cache?: StateCache<AssignmentState>,
) {
  const { kept, toRead } = keptStates(events, PREFIX, cache);
  const rows = await readTouchedRows<{ assignment_id: string; state: AssignmentState; revision: string }>(
    client,
    toRead,
    PREFIX,
    bulk,
    (clause) => `SELECT assignment_id, state, revision FROM ${schema}.assignments
      WHERE assignment_id = ANY($1::text[]) ORDER BY assignment_id ${clause}`,
    lock,
  );
  const stored = new Map(kept);
  for (const r of rows) stored.set(r.assignment_id, { state: r.state, revision: BigInt(r.revision) });
  return {
    stored,
    folded: foldAssignments(stored, events, PREFIX, evolveAssignment, initialAssignmentState),
  };
}

/** The writes of a batch folded by the exact path (every row upserted); `history` false leaves the history out. */
function exactWrites(schema: string, folded: FoldedAssignments, history: boolean): RowsWrite[] {
  return [
    { sql: upsertAssignmentsSql(schema), rows: folded.assignments.map(assignmentRecord) },
    { sql: upsertOrdersSql(schema), rows: folded.orders.map(orderRecord) },
    ...(history ? [{ sql: insertHistorySql(schema), rows: folded.history.map(historyRecord) }] : []),
  ].filter((write) => write.rows.length > 0);
}

/** The live projector's plan: the exact path's writes, for its single statement (ADR 0043). */
async function planAssignments(
  client: PoolClient,
  schema: string,
  events: readonly RecordedEvent[],
  cache?: StateCache,
  options: PlanOptions = {},
): Promise<LivePlan> {
  const kept = cache as StateCache<AssignmentState> | undefined;
  // Streams that begin in the batch (revision 0) are taken to have no row, as in a bulk load:
  // the statement checks it under lock (expected revision null) and otherwise writes nothing.
  const { stored, folded } = await foldBatch(client, schema, events, true, false, kept);
  const written = folded.assignments.map(({ state, event }) => ({
    id: streamId(event.streamName, PREFIX),
    state: state as AssignmentState,
    revision: event.revision,
  }));
  const history: RowsWrite[] =
    options.copyFromStore && folded.history.length > 0
      ? [
          {
            sql: copyHistorySql(schema, PREFIX),
            rows: folded.history.map((e) => ({ global_position: logEventKey(e.position) })),
          },
        ]
      : [];
  return {
    writes: [...exactWrites(schema, folded, !options.copyFromStore), ...history],
    read: {
      table: `${schema}.assignments`,
      key: 'assignment_id',
      revisions: revisionsRead(events, PREFIX, stored),
    },
    keep: keepAfterWrite(kept, stored, written),
  };
}

async function applyAssignments(
  client: PoolClient,
  schema: string,
  events: readonly RecordedEvent[],
  options: ApplyOptions = {},
): Promise<void> {
  const { folded } = await foldBatch(client, schema, events, options.bulk === true);
  // Every event applied (the rule in a load from zero): none to report.
  if (options.copiedFromStore && folded.history.length < events.length) {
    const applied = new Set(folded.history);
    options.copiedFromStore(events.filter((e) => !applied.has(e)));
  }
  if (!options.bulk) {
    for (const write of exactWrites(schema, folded, !options.copiedFromStore)) await writeRows(client, write);
    return;
  }
  // New rows go to COPY as arrays of values, built once each (no record per row in between).
  const isNew = (row: { existed: boolean }) => !row.existed;
  const existed = (row: { existed: boolean }) => row.existed;
  await copyRows(
    client,
    `${schema}.assignments`,
    ASSIGNMENT_COLUMNS,
    folded.assignments.filter(isNew).map(assignmentValues),
  );
  await copyRows(client, `${schema}.orders`, ORDER_COLUMNS, folded.orders.filter(isNew).map(orderValues));
  if (!options.copiedFromStore)
    await copyRows(client, `${schema}.history`, HISTORY_COLUMNS, folded.history.map(historyValues));
  await writeRows(client, {
    sql: upsertAssignmentsSql(schema),
    rows: folded.assignments.filter(existed).map(assignmentRecord),
  });
  await writeRows(client, {
    sql: upsertOrdersSql(schema),
    rows: folded.orders.filter(existed).map(orderRecord),
  });
}

type Row = Record<string, CopyValue>;

/** A row as a record of its columns (the multi-row writes' JSON), from its values in `columns`' order. */
function asRecord(columns: readonly string[], values: readonly CopyValue[]): Row {
  const record: Row = {};
  for (let i = 0; i < columns.length; i++) record[columns[i]] = values[i];
  return record;
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

/** An assignment row's values, in ASSIGNMENT_COLUMNS' order. */
function assignmentValues({ state, event }: { state: Assignment; event: RecordedEvent }): CopyValue[] {
  const order = currentOrder(state);
  return [
    state.assignmentId,
    state.identityId,
    state.entitlementId,
    state.workflowState,
    state.startsAt ?? null,
    state.endsAt ?? null,
    state.requestedAt,
    order?.orderId ?? null,
    order?.stateCode ?? ProvisioningState.None,
    state,
    eventTime(event),
    event.revision.toString(),
  ];
}

function assignmentRecord(row: { state: Assignment; event: RecordedEvent }): Row {
  return asRecord(ASSIGNMENT_COLUMNS, assignmentValues(row));
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

type FoldedOrder = { state: Assignment; order: ProvisioningOrder; generatedAt: string };

/** An order row's values, in ORDER_COLUMNS' order. */
function orderValues({ state, order, generatedAt }: FoldedOrder): CopyValue[] {
  return [
    order.orderId,
    state.assignmentId,
    state.identityId,
    state.entitlementId,
    order.connectionId ?? null,
    order.resourceTypeId ?? null,
    order.fulfillment ?? null,
    order.changeType ?? null,
    order.changes,
    order.stateCode,
    order.attempt,
    order.lastError ?? null,
    order.open,
    generatedAt,
    order.updatedAt,
    postponedUntil(order) ?? null,
  ];
}

function orderRecord(row: FoldedOrder): Row {
  return asRecord(ORDER_COLUMNS, orderValues(row));
}

/** A history row's values, in HISTORY_COLUMNS' order. */
function historyValues(e: RecordedEvent): CopyValue[] {
  return [
    streamId(e.streamName, PREFIX),
    e.revision.toString(),
    e.id,
    e.type,
    e.data as CopyValue,
    e.metadata,
    e.createdAt,
  ];
}

function historyRecord(e: RecordedEvent): Row {
  return asRecord(HISTORY_COLUMNS, historyValues(e));
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
  await client.query(historyFromStoreSql(schema, PREFIX, sql), params);
  // The key the load dropped, built once over the rows (a sort) rather than row by row.
  await client.query(historyKeyDdl(schema));
}
