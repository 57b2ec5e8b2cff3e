import type { Assignment } from '@prov/domain';
import { OrderQueries, type OrderQueueFilter, QUEUE_PAGE_SIZE } from './order-queries';
import { decodeCursor, encodeCursor, type Page, pageOf, type PageRequest } from './paging';
import {
  type AssignmentView,
  type IdentityRecord,
  toAssignmentView,
  toIdentityRecord,
  toIdentityView,
  toJobView,
} from './views';

export { QUEUE_PAGE_SIZE, type OrderQueueFilter } from './order-queries';

/** Everything the API and the services read from the read models. */
export class ReadModelQueries extends OrderQueries {
  async identities(search?: string, limit = 100, offset = 0) {
    const { rows } = await this.pool.query(
      `SELECT identity_id, login, first_name, last_name, email, department, attributes, active, deactivated_at, deactivation_scheduled_at, holdings
         FROM ${this.s}.identities
        WHERE $1::text IS NULL OR login ILIKE $1 OR first_name ILIKE $1 OR last_name ILIKE $1 OR email ILIKE $1
        ORDER BY last_name, first_name, identity_id LIMIT $2 OFFSET $3`,
      [search ? `%${search.replace(/[%_\\]/g, (c) => `\\${c}`)}%` : null, limit, offset],
    );
    return rows.map(toIdentityView);
  }

  /** Identities by name, a page at a time (keyset on last name, first name, id). */
  async identitiesPage(
    search: string | undefined,
    page: PageRequest = {},
  ): Promise<Page<ReturnType<typeof toIdentityView>>> {
    const limit = page.limit ?? 100;
    const [last, first, id] = page.cursor ? decodeCursor('identities', page.cursor, 3) : [null, null, null];
    const { rows } = await this.pool.query(
      `SELECT identity_id, login, first_name, last_name, email, department, attributes, active, deactivated_at, deactivation_scheduled_at, holdings
         FROM ${this.s}.identities
        WHERE ($1::text IS NULL OR login ILIKE $1 OR first_name ILIKE $1 OR last_name ILIKE $1 OR email ILIKE $1)
          AND ($2::text IS NULL OR (last_name, first_name, identity_id) > ($2::text, $3::text, $4::text))
        ORDER BY last_name, first_name, identity_id LIMIT $5`,
      [search ? `%${search.replace(/[%_\\]/g, (c) => `\\${c}`)}%` : null, last, first, id, limit + 1],
    );
    return pageOf(rows, limit, toIdentityView, (row) =>
      encodeCursor('identities', [
        row.last_name as string,
        row.first_name as string,
        row.identity_id as string,
      ]),
    );
  }

  async identity(identityId: string) {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.identities WHERE identity_id = $1`, [
      identityId,
    ]);
    return rows[0] ? toIdentityView(rows[0]) : undefined;
  }

  /**
   * Identities with their revision and times (SCIM's meta and ETag, the HR import's diff): one,
   * or every identity when no id is given.
   */
  async identityRecords(identityId?: string): Promise<IdentityRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT identity_id, login, first_name, last_name, email, department, attributes, active,
              registered_at, updated_at, revision
         FROM ${this.s}.identities WHERE $1::text IS NULL OR identity_id = $1 ORDER BY identity_id`,
      [identityId ?? null],
    );
    return rows.map(toIdentityRecord);
  }

  async assignment(assignmentId: string): Promise<AssignmentView | undefined> {
    const { rows } = await this.pool.query<{ state: Assignment; revision: string }>(
      `SELECT state, revision FROM ${this.s}.assignments WHERE assignment_id = $1`,
      [assignmentId],
    );
    return rows[0] ? toAssignmentView(rows[0].state, rows[0].revision) : undefined;
  }

  /**
   * Assignments, most recently requested first, a page at a time. The cursor's `requested_at <=`
   * bounds the scan of the (requested_at DESC, assignment_id) index, so a page starts where the
   * last one ended instead of after every row before it.
   */
  async assignmentsPage(
    filter: OrderQueueFilter & { provisioningStateCode?: number },
    page: PageRequest = {},
  ): Promise<Page<AssignmentView>> {
    const limit = page.limit ?? 500;
    const [at, id] = page.cursor ? decodeCursor('assignments', page.cursor, 2) : [null, null];
    const { rows } = await this.pool.query<{
      state: Assignment;
      revision: string;
      page_at: string;
      assignment_id: string;
    }>(
      `SELECT state, revision, assignment_id, requested_at::text AS page_at FROM ${this.s}.assignments
        WHERE ($1::int IS NULL OR provisioning_state_code = $1)
          AND ($2::text IS NULL OR identity_id = $2) AND ($3::text IS NULL OR entitlement_id = $3)
          AND ($4::timestamptz IS NULL OR (requested_at <= $4 AND (requested_at < $4 OR assignment_id > $5)))
        ORDER BY requested_at DESC, assignment_id LIMIT $6`,
      [
        filter.provisioningStateCode ?? null,
        filter.identityId ?? null,
        filter.entitlementId ?? null,
        at,
        id,
        limit + 1,
      ],
    );
    return pageOf(
      rows,
      limit,
      (row) => toAssignmentView(row.state, row.revision),
      (row) => encodeCursor('assignments', [row.page_at, row.assignment_id]),
    );
  }

  /** The first `limit` assignments (most recently requested first); `assignmentsPage` says if there are more. */
  async assignments(filter: OrderQueueFilter & { provisioningStateCode?: number }, limit = 500) {
    return (await this.assignmentsPage(filter, { limit })).items;
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

  /** Job runs, most recent first, a page at a time. */
  async jobsPage(page: PageRequest = {}) {
    const limit = page.limit ?? 50;
    const [at, id] = page.cursor ? decodeCursor('jobs', page.cursor, 2) : [null, null];
    const { rows } = await this.pool.query(
      `SELECT *, started_at::text AS page_at FROM ${this.s}.jobs
        WHERE $1::timestamptz IS NULL OR started_at < $1 OR (started_at = $1 AND job_id > $2)
        ORDER BY started_at DESC, job_id LIMIT $3`,
      [at, id, limit + 1],
    );
    return pageOf(rows, limit, toJobView, (row) =>
      encodeCursor('jobs', [row.page_at as string, row.job_id as string]),
    );
  }

  async jobs(limit = 50) {
    return (await this.jobsPage({ limit })).items;
  }

  async job(jobId: string) {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.jobs WHERE job_id = $1`, [jobId]);
    return rows[0] ? toJobView(rows[0]) : undefined;
  }

  /** A connection's drift from its last synchronization, a page at a time (by account, group, attribute). */
  async nonConforming(connectionId: string, page: PageRequest = {}) {
    const limit = page.limit ?? QUEUE_PAGE_SIZE;
    const [account, group, attribute] = page.cursor
      ? decodeCursor('non-conforming', page.cursor, 3)
      : [null, null, null];
    const { rows } = await this.pool.query(
      `SELECT account_key, group_name, attribute_name, kind, drift, assignment_ids, found_at FROM ${this.s}.non_conforming
        WHERE connection_id = $1
          AND ($2::text IS NULL OR (account_key, group_name, attribute_name) > ($2::text, $3::text, $4::text))
        ORDER BY account_key, group_name, attribute_name LIMIT $5`,
      [connectionId, account, group, attribute, limit + 1],
    );
    return pageOf(
      rows,
      limit,
      (row) => ({
        accountKey: row.account_key as string,
        ...(row.group_name ? { group: row.group_name as string } : {}),
        ...(row.attribute_name ? { attribute: row.attribute_name as string } : {}),
        kind: row.kind as string,
        drift: row.drift as string,
        ...((row.assignment_ids as string[]).length ? { assignmentIds: row.assignment_ids as string[] } : {}),
        foundAt: new Date(row.found_at).toISOString(),
      }),
      (row) => encodeCursor('non-conforming', [row.account_key, row.group_name, row.attribute_name]),
    );
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
