import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase, tuplesRead } from '@prov/testing';
import { ensureReadModelSchema } from '../schema';
import { ReadModelQueries } from './read-model-queries';
import { accountKeyHolders } from './scans';

const SCHEMA = 'rm_current';
const ASSIGNMENTS = 20_000;

/**
 * Reads that keep the assignments whose current order is the one read: the synchronization's
 * expected resources and the account key holders of order generation. `current_order_id` has no
 * index, so a join on it alone reads every assignment per call (18 s a page at a million); they
 * must find each order's assignment by its key instead, and read about as many as they return.
 */
describe('reads of an assignment by its current order', () => {
  let db: TestDatabase;
  let pool: Pool;
  let one: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('current-order-reads');
    pool = new Pool({ connectionString: db.url });
    one = new Pool({ connectionString: db.url, max: 1 });
    const client = await pool.connect();
    await ensureReadModelSchema(client, SCHEMA).finally(() => client.release());
    // Three orders per assignment, the last current; every tenth assignment revoked, every
    // seventh current order a removal, every ninth failed (7): none of those is expected.
    await pool.query(
      `INSERT INTO ${SCHEMA}.orders (order_id, assignment_id, identity_id, entitlement_id, connection_id,
              change_type, changes, provisioning_state_code, attempt, is_open, generated_at, updated_at)
       SELECT 'o-' || lpad(i::text, 6, '0') || '-' || n, 'a-' || i, 'i-' || (i / 10), 'e', 
              CASE WHEN i % 2 = 0 THEN 'ldap' ELSE 'sql' END,
              CASE WHEN n = 2 AND i % 7 = 0 THEN 'Deleted' ELSE 'Added' END,
              jsonb_build_object('accountKey', 'user' || i),
              CASE WHEN n = 2 AND i % 9 = 0 THEN 7 ELSE 8 END, 1, n = 2, now(), now()
         FROM generate_series(1, $1::int) AS i, generate_series(0, 2) AS n`,
      [ASSIGNMENTS],
    );
    await pool.query(
      `INSERT INTO ${SCHEMA}.assignments (assignment_id, identity_id, entitlement_id, workflow_state,
              requested_at, current_order_id, provisioning_state_code, state, updated_at, revision)
       SELECT 'a-' || i, 'i-' || (i / 10), 'e', CASE WHEN i % 10 = 0 THEN 'Revoked' ELSE 'Requested' END,
              now(), 'o-' || lpad(i::text, 6, '0') || '-2', 8, '{}', now(), 1
         FROM generate_series(1, $1::int) AS i`,
      [ASSIGNMENTS],
    );
    await pool.query(`ANALYZE ${SCHEMA}.orders; ANALYZE ${SCHEMA}.assignments`);
  });

  afterAll(async () => {
    await one?.end();
    await pool?.end();
    await db?.drop();
  });

  /** Assignment rows the server read (by scan or by index) while `read` ran on `one`. */
  const assignmentTuplesRead = (read: () => Promise<unknown>) =>
    tuplesRead(
      { session: one, observer: pool, schema: SCHEMA, table: 'assignments', statistics: 'table' },
      read,
    );

  it("pages through a connection's expected resources: each live current order once, in id order", async () => {
    const { rows } = await pool.query<{ order_id: string }>(
      `SELECT o.order_id FROM ${SCHEMA}.orders o JOIN ${SCHEMA}.assignments a ON a.current_order_id = o.order_id
        WHERE o.connection_id = 'ldap' AND a.workflow_state = 'Requested' AND o.change_type IN ('Added', 'Modified')
          AND o.provisioning_state_code <> 7 ORDER BY o.order_id`,
    );
    expect(rows.length).toBeGreaterThan(2_000);
    const walked: string[] = [];
    for await (const page of new ReadModelQueries(pool, SCHEMA).expectedResources('ldap'))
      walked.push(...page.map((order) => order.orderId));
    expect(walked).toEqual(rows.map((r) => r.order_id));
  });

  it('reads a page of expected resources without reading every assignment', async () => {
    const read = await assignmentTuplesRead(async () => {
      const pages = new ReadModelQueries(one, SCHEMA).expectedResources('ldap');
      expect((await pages.next()).value).toHaveLength(1000);
    });
    expect(read).toBeLessThan(ASSIGNMENTS / 4);
  });

  it('answers account key holders from the keys, not from a scan of the assignments', async () => {
    let holders: string[][] = [];
    const read = await assignmentTuplesRead(async () => {
      holders = await accountKeyHolders(
        one,
        [
          { connectionId: 'ldap', accountKey: 'user12' },
          { connectionId: 'ldap', accountKey: 'user20' }, // revoked
          { connectionId: 'sql', accountKey: 'user12' }, // another connection's key
        ],
        SCHEMA,
      );
    });
    expect(holders).toEqual([['i-1'], [], []]);
    expect(read).toBeLessThan(50);
  });
});
