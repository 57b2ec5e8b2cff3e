import type { Pool } from 'pg';
import { ProvisioningState } from '@prov/domain';
import { EXPECTED_STATES } from './state-codes';
import { assertSchemaName, LIVE_SCHEMA } from '../schema';
import {
  itemsOf,
  pagesOf,
  decodeCursor,
  encodeCursor,
  type Page,
  pageOf,
  type PageRequest,
  SCAN_PAGE_SIZE,
} from './paging';
import { type OrderRow, type OrderView, toOrderView } from './views';

/** Rows per page of the review and manual queues when the caller does not say. */
export const QUEUE_PAGE_SIZE = 1000;

export interface OrderQueueFilter {
  connectionId?: string;
  entitlementId?: string;
  identityId?: string;
  /** true: only orders postponed now; false: only orders not postponed now; absent: both. */
  postponed?: boolean;
}

/**
 * The order queries of ReadModelQueries (read-model-queries.ts): one order, the queues, the scans
 * the services walk, and what a connection should contain.
 */
export class OrderQueries {
  protected readonly s: string;

  constructor(
    protected readonly pool: Pool,
    schema = LIVE_SCHEMA,
  ) {
    this.s = assertSchemaName(schema);
  }

  async order(orderId: string): Promise<OrderView | undefined> {
    const { rows } = await this.pool.query<OrderRow>(`SELECT * FROM ${this.s}.orders WHERE order_id = $1`, [
      orderId,
    ]);
    return rows[0] ? toOrderView(rows[0]) : undefined;
  }

  /**
   * One page of the open orders in the given states, oldest change first (a queue). The cursor
   * holds the last row's exact `updated_at` (as PostgreSQL prints it, microseconds kept) and id.
   * Each state is read on its own, in queue order along the index of its state (and connection),
   * stopping after a page; the pages are merged. One scan of all the states would have to sort
   * every matching row first: 125,000 open orders of a connection for a page of 50 at 1 M.
   */
  async ordersPage(
    codes: number[],
    filter: OrderQueueFilter = {},
    page: PageRequest = {},
  ): Promise<Page<OrderView>> {
    const limit = page.limit ?? QUEUE_PAGE_SIZE;
    const [at, id] = page.cursor ? decodeCursor('orders', page.cursor, 2) : [null, null];
    const { rows } = await this.pool.query<OrderRow & { page_at: string }>(
      `SELECT o.*, o.updated_at::text AS page_at
         FROM (SELECT DISTINCT unnest($1::int[]) AS code) c
        CROSS JOIN LATERAL (
          SELECT * FROM ${this.s}.orders
           WHERE is_open AND provisioning_state_code = c.code
             AND ($2::text IS NULL OR connection_id = $2) AND ($3::text IS NULL OR entitlement_id = $3)
             AND ($4::text IS NULL OR identity_id = $4)
             AND ($5::timestamptz IS NULL OR (updated_at, order_id) > ($5::timestamptz, $6::text))
             AND ($8::boolean IS NULL OR COALESCE(postponed_until > now(), false) = $8)
           ORDER BY updated_at, order_id LIMIT $7) o
        ORDER BY o.updated_at, o.order_id LIMIT $7`,
      [
        codes,
        filter.connectionId ?? null,
        filter.entitlementId ?? null,
        filter.identityId ?? null,
        at,
        id,
        limit + 1,
        filter.postponed ?? null,
      ],
    );
    return pageOf(rows, limit, toOrderView, (row) => encodeCursor('orders', [row.page_at, row.order_id]));
  }

  /**
   * Every open order in the given states, streamed page by page in order id order (a row whose
   * state changes during the scan keeps its place, so nothing is seen twice or skipped; the next
   * page is read when the consumer gets there).
   */
  ordersInStates(codes: number[], filter: OrderQueueFilter = {}): AsyncGenerator<OrderView> {
    return itemsOf(async (cursor) => {
      const after = cursor ? decodeCursor('order-scan', cursor, 1)[0] : null;
      const { rows } = await this.pool.query<OrderRow>(
        `SELECT * FROM ${this.s}.orders
          WHERE is_open AND provisioning_state_code = ANY($1::int[])
            AND ($2::text IS NULL OR connection_id = $2) AND ($3::text IS NULL OR entitlement_id = $3)
            AND ($4::text IS NULL OR identity_id = $4) AND ($5::text IS NULL OR order_id > $5)
          ORDER BY order_id LIMIT $6`,
        [
          codes,
          filter.connectionId ?? null,
          filter.entitlementId ?? null,
          filter.identityId ?? null,
          after,
          SCAN_PAGE_SIZE + 1,
        ],
      );
      return pageOf(rows, SCAN_PAGE_SIZE, toOrderView, (row) => encodeCursor('order-scan', [row.order_id]));
    });
  }

  /** How many open orders are in the given states (the complete job's report). */
  async countOrdersInStates(codes: number[]): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.s}.orders WHERE is_open AND provisioning_state_code = ANY($1::int[])`,
      [codes],
    );
    return Number(rows[0].n);
  }

  /**
   * Review queue: orders awaiting approval (5) and errored orders (3), a page at a time.
   * Postponed orders are out of it until their `until` passes (then they are back, nobody has
   * to act); `postponed: true` lists them instead.
   */
  reviewQueue(filter: OrderQueueFilter = {}, page: PageRequest = {}) {
    return this.ordersPage(
      [ProvisioningState.AwaitingApproval, ProvisioningState.Errored],
      { ...filter, postponed: filter.postponed ?? false },
      page,
    );
  }

  /** Manual queue: orders transmitted to operators (2), a page at a time. */
  manualQueue(filter: OrderQueueFilter = {}, page: PageRequest = {}) {
    return this.ordersPage([ProvisioningState.Transmitted], filter, page);
  }

  /**
   * What a connection should contain: the latest order of each live assignment on it whose
   * change is an addition or modification (revoked or declined assignments expect nothing).
   * A page at a time: a connection of a million assignments holds 125,000 of them (ADR 0063).
   * Each order in id order, its assignment looked up by key (the LATERAL's LIMIT keeps that a
   * nested loop): as a join, the planner sorted all assignments for every page (18 s at a million).
   */
  expectedResources(connectionId: string): AsyncGenerator<OrderView[]> {
    return pagesOf(async (cursor) => {
      const after = cursor ? decodeCursor('expected', cursor, 1)[0] : null;
      const { rows } = await this.pool.query<OrderRow>(
        `SELECT o.* FROM ${this.s}.orders o
           CROSS JOIN LATERAL (SELECT 1 FROM ${this.s}.assignments a
                                WHERE a.assignment_id = o.assignment_id AND a.current_order_id = o.order_id
                                  AND a.workflow_state = 'Requested' LIMIT 1) AS live
          WHERE o.connection_id = $1 AND o.change_type IN ('Added', 'Modified')
            AND o.provisioning_state_code IN (${EXPECTED_STATES}) AND ($2::text IS NULL OR o.order_id > $2)
          ORDER BY o.order_id LIMIT $3`,
        [connectionId, after, SCAN_PAGE_SIZE + 1],
      );
      return pageOf(rows, SCAN_PAGE_SIZE, toOrderView, (row) => encodeCursor('expected', [row.order_id]));
    });
  }
}
