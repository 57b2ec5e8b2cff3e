import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase, tuplesRead } from '@prov/testing';
import { ensureReadModelSchema } from '../schema';
import { allPages } from './paging';
import { ReadModelQueries } from './read-model-queries';

const SCHEMA = 'rm_queue';
const CONNECTIONS = ['app_a', 'app_b'];
const STATES = [1, 2, 3, 5, 8];
const ORDERS = 600;

/**
 * The queue pages are read state by state and merged (order-queries.ts): walking a queue of
 * several states by cursor must give exactly what one sorted scan gives, however the states'
 * orders interleave in time and however many share an instant.
 */
describe('queue pages over several states', () => {
  let db: TestDatabase;
  let pool: Pool;
  let queries: ReadModelQueries;

  beforeAll(async () => {
    db = await createTestDatabase('order-queries');
    pool = new Pool({ connectionString: db.url });
    const client = await pool.connect();
    await ensureReadModelSchema(client, SCHEMA).finally(() => client.release());
    // Many orders share an updated_at (i mod 37 seconds); some are closed, some postponed.
    await pool.query(
      `INSERT INTO ${SCHEMA}.orders (order_id, assignment_id, identity_id, entitlement_id, connection_id,
              changes, provisioning_state_code, attempt, is_open, generated_at, updated_at, postponed_until)
       SELECT 'o-' || lpad(i::text, 4, '0'), 'a-' || i, 'i-' || (i % 7), 'e-' || (i % 3), ($1::text[])[1 + i % 2],
              '{}', ($2::int[])[1 + i % 5], 1, i % 11 <> 0, timestamptz '2026-11-01T10:00:00Z',
              timestamptz '2026-11-01T10:00:00Z' + make_interval(secs => (i * 7919) % 37),
              CASE WHEN i % 13 = 0 THEN now() + interval '1 day' END
         FROM generate_series(1, $3::int) AS i`,
      [CONNECTIONS, STATES, ORDERS],
    );
    queries = new ReadModelQueries(pool, SCHEMA);
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  /** The ids one sorted scan gives for the same filter: the order the pages must follow. */
  async function expected(where: string, params: unknown[]): Promise<string[]> {
    const { rows } = await pool.query<{ order_id: string }>(
      `SELECT order_id FROM ${SCHEMA}.orders WHERE is_open AND ${where} ORDER BY updated_at, order_id`,
      params,
    );
    return rows.map((r) => r.order_id);
  }

  it('walks every state of a connection in queue order, nothing skipped or repeated', async () => {
    const walked = await allPages((cursor) =>
      queries.ordersPage(STATES, { connectionId: 'app_b' }, { cursor, limit: 7 }),
    );
    const ids = walked.map((o) => o.orderId);
    expect(ids).toEqual(
      await expected('provisioning_state_code = ANY($1) AND connection_id = $2', [STATES, 'app_b']),
    );
    expect(ids.length).toBeGreaterThan(200);
  });

  it('keeps the filters and the postponement rule of the review queue', async () => {
    const walked = await allPages((cursor) =>
      queries.reviewQueue({ entitlementId: 'e-1' }, { cursor, limit: 5 }),
    );
    expect(walked.map((o) => o.orderId)).toEqual(
      await expected(
        `provisioning_state_code IN (5, 3) AND entitlement_id = 'e-1'
         AND NOT COALESCE(postponed_until > now(), false)`,
        [],
      ),
    );
  });

  it('lists a state given twice once', async () => {
    const page = await queries.ordersPage([2, 2], { identityId: 'i-3' }, { limit: 1000 });
    expect(page.items.map((o) => o.orderId)).toEqual(
      await expected(`provisioning_state_code = 2 AND identity_id = 'i-3'`, []),
    );
  });

  it('walks all assignments, most recently requested first, nothing skipped or repeated', async () => {
    await pool.query(
      `INSERT INTO ${SCHEMA}.assignments (assignment_id, identity_id, entitlement_id, workflow_state,
              requested_at, provisioning_state_code, state, updated_at, revision)
       SELECT 'a-' || lpad(i::text, 4, '0'), 'i-' || (i % 7), 'e-' || i, 'Requested',
              timestamptz '2026-11-01T10:00:00Z' + make_interval(secs => (i * 7919) % 37), 8,
              jsonb_build_object('exists', true, 'assignmentId', 'a-' || lpad(i::text, 4, '0'), 'orders', '{}'::jsonb),
              now(), 1
         FROM generate_series(1, 300) AS i`,
    );
    const walked = await allPages((cursor) => queries.assignmentsPage({}, { cursor, limit: 7 }));
    const { rows } = await pool.query<{ assignment_id: string }>(
      `SELECT assignment_id FROM ${SCHEMA}.assignments ORDER BY requested_at DESC, assignment_id`,
    );
    expect(walked.map((a) => a.assignmentId)).toEqual(rows.map((r) => r.assignment_id));
  });
  it("reads a connection's queue page without stepping over its closed orders", async () => {
    // A connection whose orders were changed before: the closed (superseded) orders are older than
    // the open ones, so an index holding them puts thousands in front of the page (seen at 1 M:
    // p50 280 ms for a page of 50).
    await pool.query(
      `INSERT INTO ${SCHEMA}.orders (order_id, assignment_id, identity_id, entitlement_id, connection_id,
              changes, provisioning_state_code, attempt, is_open, generated_at, updated_at)
       SELECT 'c-' || lpad(i::text, 5, '0'), 'c-' || i, 'i-1', 'e-1', 'app_c', '{}', 8, 1, i > 5000,
              timestamptz '2026-11-01T10:00:00Z', timestamptz '2026-11-01T10:00:00Z' + make_interval(secs => i)
         FROM generate_series(1, 5050) AS i`,
    );
    // ... among many open orders of other connections in the same state, so that reading the
    // state's queue and filtering by connection is no way out either.
    await pool.query(
      `INSERT INTO ${SCHEMA}.orders (order_id, assignment_id, identity_id, entitlement_id, connection_id,
              changes, provisioning_state_code, attempt, is_open, generated_at, updated_at)
       SELECT 'd-' || lpad(i::text, 5, '0'), 'd-' || i, 'i-1', 'e-1', 'app_d', '{}', 8, 1, true,
              timestamptz '2026-11-01T10:00:00Z', timestamptz '2026-11-01T09:00:00Z' + make_interval(secs => i % 3600)
         FROM generate_series(1, 20000) AS i`,
    );
    await pool.query(`ANALYZE ${SCHEMA}.orders`);
    const one = new Pool({ connectionString: db.url, max: 1 });
    try {
      const read = await tuplesRead(
        { session: one, observer: pool, schema: SCHEMA, table: 'orders', statistics: 'indexes' },
        async () => {
          const page = await new ReadModelQueries(one, SCHEMA).ordersPage(
            [8],
            { connectionId: 'app_c' },
            { limit: 20 },
          );
          expect(page.items.map((o) => o.orderId)[0]).toBe('c-05001');
        },
      );
      expect(read).toBeLessThan(500);
    } finally {
      await one.end();
    }
  });
});
