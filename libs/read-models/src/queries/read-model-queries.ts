import type { Pool } from 'pg';
import { type Assignment, currentOrder } from '@prov/domain';
import { assertSchemaName, LIVE_SCHEMA } from '../schema';
import { type OrderRow, type OrderView, stateView, toOrderView } from './views';

export interface AssignmentView {
  assignmentId: string;
  identityId: string;
  entitlementId: string;
  workflowState: string;
  startsAt?: string;
  endsAt?: string;
  requestedAt: string;
  /** Who requested it: a person, or `rule:<id>` for a birthright rule. */
  requestedBy?: string;
  provisioningState: string;
  provisioningStateCode: number;
  currentOrder: {
    orderId: string;
    changeType: string | null;
    provisioningState: string;
    provisioningStateCode: number;
    attempt: number;
    lastError?: string;
  } | null;
  revision: number;
}

export function toAssignmentView(state: Assignment, revision: string | number): AssignmentView {
  const order = currentOrder(state);
  return {
    assignmentId: state.assignmentId,
    identityId: state.identityId,
    entitlementId: state.entitlementId,
    workflowState: state.workflowState,
    ...(state.startsAt ? { startsAt: state.startsAt } : {}),
    ...(state.endsAt ? { endsAt: state.endsAt } : {}),
    requestedAt: state.requestedAt,
    ...(state.requestedBy ? { requestedBy: state.requestedBy } : {}),
    ...stateView(order?.stateCode ?? 0),
    currentOrder: order
      ? {
          orderId: order.orderId,
          changeType: order.changeType ?? null,
          ...stateView(order.stateCode),
          attempt: order.attempt,
          ...(order.lastError ? { lastError: order.lastError } : {}),
        }
      : null,
    revision: Number(revision),
  };
}

export interface OrderQueueFilter {
  connectionId?: string;
  entitlementId?: string;
  identityId?: string;
  /** true: only orders postponed now; false: only orders not postponed now; absent: both. */
  postponed?: boolean;
}

/** Everything the API and the services read from the read models. */
export class ReadModelQueries {
  private readonly s: string;

  constructor(private readonly pool: Pool, schema = LIVE_SCHEMA) {
    this.s = assertSchemaName(schema);
  }

  async identities(search?: string, limit = 100, offset = 0) {
    const { rows } = await this.pool.query(
      `SELECT identity_id, login, first_name, last_name, email, department, attributes
         FROM ${this.s}.identities
        WHERE $1::text IS NULL OR login ILIKE $1 OR first_name ILIKE $1 OR last_name ILIKE $1 OR email ILIKE $1
        ORDER BY last_name, first_name, identity_id LIMIT $2 OFFSET $3`,
      [search ? `%${search.replace(/[%_\\]/g, (c) => `\\${c}`)}%` : null, limit, offset],
    );
    return rows.map(toIdentityView);
  }

  async identity(identityId: string) {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.identities WHERE identity_id = $1`, [identityId]);
    return rows[0] ? toIdentityView(rows[0]) : undefined;
  }

  async assignment(assignmentId: string): Promise<AssignmentView | undefined> {
    const { rows } = await this.pool.query<{ state: Assignment; revision: string }>(
      `SELECT state, revision FROM ${this.s}.assignments WHERE assignment_id = $1`,
      [assignmentId],
    );
    return rows[0] ? toAssignmentView(rows[0].state, rows[0].revision) : undefined;
  }

  async assignments(filter: OrderQueueFilter & { provisioningStateCode?: number }, limit = 500) {
    const { rows } = await this.pool.query<{ state: Assignment; revision: string }>(
      `SELECT state, revision FROM ${this.s}.assignments
        WHERE ($1::int IS NULL OR provisioning_state_code = $1)
          AND ($2::text IS NULL OR identity_id = $2) AND ($3::text IS NULL OR entitlement_id = $3)
        ORDER BY requested_at DESC, assignment_id LIMIT $4`,
      [filter.provisioningStateCode ?? null, filter.identityId ?? null, filter.entitlementId ?? null, limit],
    );
    return rows.map((row) => toAssignmentView(row.state, row.revision));
  }

  async history(assignmentId: string) {
    const { rows } = await this.pool.query(
      `SELECT revision, event_id, event_type, data, metadata, recorded_at FROM ${this.s}.history
        WHERE assignment_id = $1 ORDER BY revision`,
      [assignmentId],
    );
    return rows.map((row) => ({
      revision: Number(row.revision),
      eventId: row.event_id,
      type: row.event_type,
      data: row.data,
      metadata: row.metadata,
      recordedAt: new Date(row.recorded_at).toISOString(),
    }));
  }

  async order(orderId: string): Promise<OrderView | undefined> {
    const { rows } = await this.pool.query<OrderRow>(`SELECT * FROM ${this.s}.orders WHERE order_id = $1`, [orderId]);
    return rows[0] ? toOrderView(rows[0]) : undefined;
  }

  /** Orders in one of the given states (open ones only), with optional filters. */
  async ordersInStates(codes: number[], filter: OrderQueueFilter = {}, limit = 1000): Promise<OrderView[]> {
    const { rows } = await this.pool.query<OrderRow>(
      `SELECT * FROM ${this.s}.orders
        WHERE is_open AND provisioning_state_code = ANY($1::int[])
          AND ($2::text IS NULL OR connection_id = $2) AND ($3::text IS NULL OR entitlement_id = $3)
          AND ($4::text IS NULL OR identity_id = $4)
          AND ($6::boolean IS NULL OR COALESCE(postponed_until > now(), false) = $6)
        ORDER BY updated_at, order_id LIMIT $5`,
      [codes, filter.connectionId ?? null, filter.entitlementId ?? null, filter.identityId ?? null, limit, filter.postponed ?? null],
    );
    return rows.map(toOrderView);
  }

  /**
   * Review queue: orders awaiting approval (5) and errored orders (3). Postponed orders are out
   * of it until their `until` passes (then they are back, nobody has to act); `postponed: true`
   * lists them instead.
   */
  reviewQueue(filter: OrderQueueFilter = {}) {
    return this.ordersInStates([5, 3], { ...filter, postponed: filter.postponed ?? false });
  }

  /** Manual queue: orders transmitted to operators (2). */
  manualQueue(filter: OrderQueueFilter = {}) {
    return this.ordersInStates([2], filter);
  }

  /**
   * What a connection should contain: the latest order of each live assignment on it whose
   * change is an addition or modification (revoked or declined assignments expect nothing).
   */
  async expectedResources(connectionId: string): Promise<OrderView[]> {
    const { rows } = await this.pool.query<OrderRow>(
      `SELECT o.* FROM ${this.s}.orders o JOIN ${this.s}.assignments a ON a.current_order_id = o.order_id
        WHERE o.connection_id = $1 AND a.workflow_state = 'Requested' AND o.change_type IN ('Added', 'Modified')
          AND o.provisioning_state_code IN (1, 2, 3, 4, 5, 8)`,
      [connectionId],
    );
    return rows.map(toOrderView);
  }

  async jobs(limit = 50) {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.jobs ORDER BY started_at DESC LIMIT $1`, [limit]);
    return rows.map(toJobView);
  }

  async job(jobId: string) {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.jobs WHERE job_id = $1`, [jobId]);
    return rows[0] ? toJobView(rows[0]) : undefined;
  }

  async nonConforming(connectionId: string) {
    const { rows } = await this.pool.query(
      `SELECT account_key, group_name, kind, found_at FROM ${this.s}.non_conforming
        WHERE connection_id = $1 ORDER BY account_key, group_name`,
      [connectionId],
    );
    return rows.map((row) => ({
      accountKey: row.account_key,
      ...(row.group_name ? { group: row.group_name } : {}),
      kind: row.kind,
      foundAt: new Date(row.found_at).toISOString(),
    }));
  }

  async synchronizations() {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.synchronizations`);
    return new Map(
      rows.map((row) => [
        row.connection_id as string,
        {
          lastSynchronizedAt: new Date(row.last_synchronized_at).toISOString(),
          accounts: row.accounts as number,
          memberships: row.memberships as number,
          verified: row.verified as number,
          nonConforming: row.non_conforming as number,
        },
      ]),
    );
  }
}

function toIdentityView(row: Record<string, unknown>) {
  return {
    id: row.identity_id as string,
    login: row.login as string,
    firstName: row.first_name as string,
    lastName: row.last_name as string,
    email: row.email as string,
    ...(row.department ? { department: row.department as string } : {}),
    attributes: (row.attributes ?? {}) as Record<string, unknown>,
    active: row.active !== false,
    ...(row.deactivated_at ? { deactivatedAt: new Date(row.deactivated_at as string).toISOString() } : {}),
    ...(row.deactivation_scheduled_at
      ? { deactivationScheduledAt: new Date(row.deactivation_scheduled_at as string).toISOString() }
      : {}),
    /** By entitlement: the one assignment giving it and who holds it (`request`, `rule:<id>`). */
    holdings: (row.holdings ?? {}) as Record<string, { assignmentId: string; holders: string[] }>,
  };
}

function toJobView(row: Record<string, unknown>) {
  return {
    jobId: row.job_id as string,
    kind: row.kind as string,
    status: row.status as string,
    trigger: row.trigger as string,
    startedBy: (row.started_by as string | null) ?? undefined,
    tasks: row.tasks,
    startedAt: new Date(row.started_at as string).toISOString(),
    endedAt: row.ended_at ? new Date(row.ended_at as string).toISOString() : undefined,
    error: (row.error as string | null) ?? undefined,
  };
}

/** Requested assignments that have no order yet although their start date has come. */
export async function assignmentsDueToStart(pool: Pool, now: Date, schema = LIVE_SCHEMA): Promise<string[]> {
  const s = assertSchemaName(schema);
  const { rows } = await pool.query<{ assignment_id: string }>(
    `SELECT assignment_id FROM ${s}.assignments
      WHERE workflow_state = 'Requested' AND current_order_id IS NULL AND starts_at IS NOT NULL AND starts_at <= $1`,
    [now],
  );
  return rows.map((row) => row.assignment_id);
}

/** Assignments still wanted (not declined, not revoked): what the role model is evaluated for. */
export async function liveAssignmentIds(pool: Pool, schema = LIVE_SCHEMA): Promise<string[]> {
  const s = assertSchemaName(schema);
  const { rows } = await pool.query<{ assignment_id: string }>(
    `SELECT assignment_id FROM ${s}.assignments WHERE workflow_state = 'Requested' ORDER BY requested_at, assignment_id`,
  );
  return rows.map((row) => row.assignment_id);
}
