import type { Pool } from 'pg';
import { assertSchemaName, LIVE_SCHEMA } from '../schema';
import { WITHOUT_ACCOUNT_STATES } from './state-codes';
import { decodeCursor, encodeCursor, itemsOf, pageOf, pagesOf, SCAN_PAGE_SIZE } from './paging';

/**
 * The orders service's internal scans (timers, the complete job). Each walks every page by
 * primary key, so no row is left out however many there are, and a row changed during the scan
 * keeps its place (nothing is seen twice). They stream: the next page is read when the consumer
 * gets to it, so a scan holds one page in memory.
 */

/** Rows the orders service's timers look at: open orders with their assignment's dates. */
export interface TimedOrder {
  orderId: string;
  assignmentId: string;
  connectionId: string | null;
  resourceTypeId: string | null;
  fulfillment: string | null;
  changeType: string | null;
  provisioningStateCode: number;
  attempt: number;
  updatedAt: Date;
  endsAt: Date | null;
}

export interface TimedOrdersScan {
  /**
   * Only orders whose last change is before this instant (the timers pass the earliest that can
   * be due): through the queue index, not every open order. At a million orders Executed and
   * waiting for their verification, the scan otherwise read all of them at every tick.
   */
  changedBefore?: Date;
  /** Only orders of this fulfilment: retries and redispatches concern automatic orders alone. */
  fulfillment?: 'automatic' | 'manual';
  /** Only orders of this connection: an Executed order expires only after its connection's read-back. */
  connectionId?: string;
  /** Only orders of none of these connections. */
  connectionIdNotIn?: string[];
  /** Only orders whose attempt is below this: an order out of retries waits for a person. */
  attemptBelow?: number;
  schema?: string;
  pageSize?: number;
}

export function openOrdersWithDates(
  pool: Pool,
  codes: number[],
  {
    changedBefore,
    fulfillment,
    connectionId,
    connectionIdNotIn,
    attemptBelow,
    schema = LIVE_SCHEMA,
    pageSize = SCAN_PAGE_SIZE,
  }: TimedOrdersScan = {},
): AsyncGenerator<TimedOrder> {
  const s = assertSchemaName(schema);
  return itemsOf(async (cursor) => {
    const after = cursor ? decodeCursor('timed-orders', cursor, 1)[0] : null;
    const { rows } = await pool.query(
      `SELECT o.order_id, o.assignment_id, o.connection_id, o.resource_type_id, o.fulfillment, o.change_type, o.provisioning_state_code,
              o.attempt, o.updated_at, a.ends_at
         FROM ${s}.orders o JOIN ${s}.assignments a ON a.assignment_id = o.assignment_id
        WHERE o.is_open AND o.provisioning_state_code = ANY($1::int[]) AND ($2::text IS NULL OR o.order_id > $2)
          AND ($4::timestamptz IS NULL OR o.updated_at < $4::timestamptz)
          AND ($5::text IS NULL OR o.fulfillment = $5::text)
          AND ($6::text IS NULL OR o.connection_id = $6::text)
          AND ($7::int IS NULL OR o.attempt < $7::int)
          AND ($8::text[] IS NULL OR o.connection_id <> ALL($8::text[]))
        ORDER BY o.order_id LIMIT $3`,
      [
        codes,
        after,
        pageSize + 1,
        changedBefore ?? null,
        fulfillment ?? null,
        connectionId ?? null,
        attemptBelow ?? null,
        connectionIdNotIn ?? null,
      ],
    );
    return pageOf(
      rows,
      pageSize,
      (row) => ({
        orderId: row.order_id,
        assignmentId: row.assignment_id,
        connectionId: row.connection_id,
        resourceTypeId: row.resource_type_id,
        fulfillment: row.fulfillment,
        changeType: row.change_type,
        provisioningStateCode: row.provisioning_state_code,
        attempt: row.attempt,
        updatedAt: new Date(row.updated_at),
        endsAt: row.ends_at ? new Date(row.ends_at) : null,
      }),
      (row) => encodeCursor('timed-orders', [row.order_id]),
    );
  });
}

/** Assignment ids matching `where` (over the assignments table, `$1` free for one parameter), every page. */
function assignmentIds(
  pool: Pool,
  schema: string,
  list: string,
  where: string,
  parameter: unknown,
  pageSize: number,
): AsyncGenerator<string> {
  const s = assertSchemaName(schema);
  return itemsOf(async (cursor) => {
    const after = cursor ? decodeCursor(list, cursor, 1)[0] : null;
    const { rows } = await pool.query<{ assignment_id: string }>(
      `SELECT assignment_id FROM ${s}.assignments
        WHERE ${where} AND ($2::text IS NULL OR assignment_id > $2)
        ORDER BY assignment_id LIMIT $3`,
      [parameter, after, pageSize + 1],
    );
    return pageOf(
      rows,
      pageSize,
      (row) => row.assignment_id,
      (row) => encodeCursor(list, [row.assignment_id]),
    );
  });
}

/** Requested assignments that have no order yet although their start date has come. */
export function assignmentsDueToStart(
  pool: Pool,
  now: Date,
  schema = LIVE_SCHEMA,
  pageSize = SCAN_PAGE_SIZE,
): AsyncGenerator<string> {
  return assignmentIds(
    pool,
    schema,
    'due-to-start',
    `workflow_state = 'Requested' AND current_order_id IS NULL AND starts_at IS NOT NULL AND starts_at <= $1::timestamptz`,
    now,
    pageSize,
  );
}

/** Assignments still wanted (not declined, not revoked): what the role model is evaluated for. */
export function liveAssignmentIds(
  pool: Pool,
  schema = LIVE_SCHEMA,
  pageSize = SCAN_PAGE_SIZE,
): AsyncGenerator<string> {
  return assignmentIds(
    pool,
    schema,
    'live',
    `workflow_state = 'Requested' AND $1::text IS NULL`,
    null,
    pageSize,
  );
}

/** A live assignment and whom it is for. */
export interface LiveAssignment {
  assignmentId: string;
  identityId: string;
  entitlementId: string;
}

/** Live assignments (not declined, not revoked) ordered by identity, so a consumer reads each identity once. */
export function liveAssignmentsByIdentity(
  pool: Pool,
  schema = LIVE_SCHEMA,
  pageSize = SCAN_PAGE_SIZE,
): AsyncGenerator<LiveAssignment> {
  const s = assertSchemaName(schema);
  return itemsOf(async (cursor) => {
    const [identity, assignment] = cursor ? decodeCursor('live-by-identity', cursor, 2) : [null, null];
    const { rows } = await pool.query<{ assignment_id: string; identity_id: string; entitlement_id: string }>(
      `SELECT assignment_id, identity_id, entitlement_id FROM ${s}.assignments
        WHERE workflow_state = 'Requested' AND ($1::text IS NULL OR (identity_id, assignment_id) > ($1::text, $2::text))
        ORDER BY identity_id, assignment_id LIMIT $3`,
      [identity, assignment ?? '', pageSize + 1],
    );
    return pageOf(
      rows,
      pageSize,
      (row) => ({
        assignmentId: row.assignment_id,
        identityId: row.identity_id,
        entitlementId: row.entitlement_id,
      }),
      (row) => encodeCursor('live-by-identity', [row.identity_id, row.assignment_id]),
    );
  });
}

/** Every identity's id, a page (at most `pageSize` ids) at a time: the complete job settles rules page by page. */
export function identityIdPages(
  pool: Pool,
  pageSize: number,
  schema = LIVE_SCHEMA,
): AsyncGenerator<string[]> {
  const s = assertSchemaName(schema);
  return pagesOf(async (cursor) => {
    const after = cursor ? decodeCursor('identity-scan', cursor, 1)[0] : null;
    const { rows } = await pool.query<{ identity_id: string }>(
      `SELECT identity_id FROM ${s}.identities WHERE $1::text IS NULL OR identity_id > $1
        ORDER BY identity_id LIMIT $2`,
      [after, pageSize + 1],
    );
    return pageOf(
      rows,
      pageSize,
      (row) => row.identity_id,
      (row) => encodeCursor('identity-scan', [row.identity_id]),
    );
  });
}

/** An account key on a connection. */
export interface AccountKeyOnConnection {
  connectionId: string;
  accountKey: string;
}

/**
 * For each account key on its connection, the identities whose live assignments point at it
 * (their current order adds or modifies it and was neither declined nor failed): one statement
 * for all the keys, so that the orders generated together ask once (ADR 0052). The assignment is
 * found by its key: `current_order_id` has no index, and joining on it alone read every
 * assignment for each call (18 s at a million).
 */
export async function accountKeyHolders(
  pool: Pool,
  keys: readonly AccountKeyOnConnection[],
  schema = LIVE_SCHEMA,
): Promise<string[][]> {
  const s = assertSchemaName(schema);
  const { rows } = await pool.query<{ i: number; identity_id: string }>(
    `SELECT DISTINCT k.i::int AS i, a.identity_id
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY k(connection_id, account_key, i)
       JOIN ${s}.orders o ON o.connection_id = k.connection_id AND o.changes->>'accountKey' = k.account_key
       JOIN ${s}.assignments a ON a.assignment_id = o.assignment_id AND a.current_order_id = o.order_id
      WHERE a.workflow_state = 'Requested' AND o.change_type IN ('Added', 'Modified')
        AND o.provisioning_state_code NOT IN (${WITHOUT_ACCOUNT_STATES})`,
    [keys.map((key) => key.connectionId), keys.map((key) => key.accountKey)],
  );
  const holders = keys.map((): string[] => []);
  for (const row of rows) holders[row.i - 1].push(row.identity_id);
  return holders;
}
