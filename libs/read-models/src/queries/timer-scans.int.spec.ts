import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase, tuplesRead } from '@prov/testing';
import { ensureReadModelSchema } from '../schema';
import { assignmentsDueToStart, openOrdersWithDates } from './scans';
import { endedAssignments } from './timer-queries';

const SCHEMA = 'rm_timers';
const ASSIGNMENTS = 20_000;
const NOW = new Date('2030-06-01T12:00:00.000Z');

/**
 * The orders service's timers scan the read model every TIMER_INTERVAL_MS (5 s by default). Each
 * scan must read about what can be due, not every assignment or every open order: at a million
 * assignments, with their orders Executed and waiting for a synchronization, a full read per tick
 * is seconds of PostgreSQL every five seconds.
 */
describe("the timers' scans", () => {
  let db: TestDatabase;
  let pool: Pool;
  let one: Pool;
  const readOf = (table: string, read: () => Promise<unknown>) =>
    tuplesRead({ session: one, observer: pool, schema: SCHEMA, table, statistics: 'table' }, read);

  beforeAll(async () => {
    db = await createTestDatabase('timer-scans');
    pool = new Pool({ connectionString: db.url });
    one = new Pool({ connectionString: db.url, max: 1 });
    const client = await pool.connect();
    await ensureReadModelSchema(client, SCHEMA).finally(() => client.release());
    // Every assignment has one open order, Executed (8) a minute ago and waiting for verification,
    // but: every 1,000th was Executed two days ago; every 2,000th has no order yet and starts
    // (from i = 2,000) or started (from i = 4,000) an hour from or before now; every 5,000th ended
    // an hour ago; every 3,000th ends tomorrow.
    await pool.query(
      `INSERT INTO ${SCHEMA}.assignments (assignment_id, identity_id, entitlement_id, workflow_state, starts_at,
              ends_at, requested_at, current_order_id, provisioning_state_code, state, updated_at, revision)
       SELECT 'a-' || lpad(i::text, 5, '0'), 'i-' || i, 'e', 'Requested',
              CASE WHEN i % 2000 = 0 THEN $2::timestamptz + CASE WHEN i % 4000 = 0 THEN interval '-1 hour' ELSE interval '1 hour' END END,
              CASE WHEN i % 5000 = 0 THEN $2::timestamptz - interval '1 hour'
                   WHEN i % 3000 = 0 THEN $2::timestamptz + interval '1 day' END,
              $2, CASE WHEN i % 2000 <> 0 THEN 'o-' || i END, 8,
              jsonb_build_object('assignmentId', 'a-' || lpad(i::text, 5, '0')), $2, 1
         FROM generate_series(1, $1::int) AS i`,
      [ASSIGNMENTS, NOW],
    );
    await pool.query(
      `INSERT INTO ${SCHEMA}.orders (order_id, assignment_id, identity_id, entitlement_id, connection_id,
              resource_type_id, change_type, changes, provisioning_state_code, attempt, is_open, generated_at, updated_at)
       SELECT 'o-' || i, 'a-' || lpad(i::text, 5, '0'), 'i-' || i, 'e', 'ldap', 'account', 'Added',
              jsonb_build_object('accountKey', 'user' || i), 8, 1, true, $2,
              $2::timestamptz - CASE WHEN i % 1000 = 0 THEN interval '2 days' ELSE interval '1 minute' END
         FROM generate_series(1, $1::int) AS i WHERE i % 2000 <> 0`,
      [ASSIGNMENTS, NOW],
    );
    await pool.query(`ANALYZE ${SCHEMA}.orders; ANALYZE ${SCHEMA}.assignments`);
  });

  afterAll(async () => {
    await one?.end();
    await pool?.end();
    await db?.drop();
  });

  it('finds the assignments whose end has passed without reading the others', async () => {
    let ended: string[] = [];
    const read = await readOf('assignments', async () => {
      ended = (await endedAssignments(one, NOW, 500, SCHEMA)).map(
        (state) => (state as unknown as { assignmentId: string }).assignmentId,
      );
    });
    // a-10000 and a-20000 ended too, but never had an order: nothing to remove.
    expect(ended).toEqual(['a-05000', 'a-15000']);
    expect(read).toBeLessThan(100);
  });

  it('finds the assignments due to start without reading the others', async () => {
    const due: string[] = [];
    const read = await readOf('assignments', async () => {
      for await (const id of assignmentsDueToStart(one, NOW, SCHEMA)) due.push(id);
    });
    expect(due).toEqual(['a-04000', 'a-08000', 'a-12000', 'a-16000', 'a-20000']);
    expect(read).toBeLessThan(100);
  });

  it('reads the open orders changed before the bound through the queue index, not every open order', async () => {
    const old: string[] = [];
    const dayAgo = new Date(NOW.getTime() - 86_400_000);
    const read = await readOf('orders', async () => {
      for await (const order of openOrdersWithDates(one, [2, 8], { changedBefore: dayAgo, schema: SCHEMA }))
        old.push(order.orderId);
    });
    expect(old).toHaveLength(ASSIGNMENTS / 1000 / 2);
    expect(old.every((id) => Number(id.slice(2)) % 1000 === 0)).toBe(true);
    expect(read).toBeLessThan(100);
  });

  it('reads only the fulfilment asked for', async () => {
    await pool.query(`UPDATE ${SCHEMA}.orders SET fulfillment = CASE WHEN order_id = 'o-3000' THEN 'manual' ELSE 'automatic' END
                       WHERE order_id IN ('o-1000', 'o-3000')`);
    const dayAgo = new Date(NOW.getTime() - 86_400_000);
    const automatic: string[] = [];
    for await (const order of openOrdersWithDates(one, [8], {
      changedBefore: dayAgo,
      fulfillment: 'automatic',
      schema: SCHEMA,
    }))
      automatic.push(order.orderId);
    expect(automatic).toEqual(['o-1000']);
  });

  it('reads only the connection asked for, through the queue index', async () => {
    await pool.query(
      `UPDATE ${SCHEMA}.orders SET connection_id = 'sql' WHERE order_id IN ('o-5000', 'o-7000')`,
    );
    const dayAgo = new Date(NOW.getTime() - 86_400_000);
    const sql: string[] = [];
    const read = await readOf('orders', async () => {
      for await (const order of openOrdersWithDates(one, [8], {
        changedBefore: dayAgo,
        connectionId: 'sql',
        schema: SCHEMA,
      }))
        sql.push(order.orderId);
    });
    expect(sql).toEqual(['o-5000', 'o-7000']);
    expect(read).toBeLessThan(100);
  });

  it('reads only orders below the attempt asked for', async () => {
    await pool.query(`UPDATE ${SCHEMA}.orders SET attempt = 3 WHERE order_id IN ('o-9000', 'o-11000')`);
    const dayAgo = new Date(NOW.getTime() - 86_400_000);
    const below: string[] = [];
    for await (const order of openOrdersWithDates(one, [8], {
      changedBefore: dayAgo,
      attemptBelow: 3,
      schema: SCHEMA,
    }))
      below.push(order.orderId);
    expect(below).toHaveLength(ASSIGNMENTS / 1000 / 2 - 2);
    expect(below).not.toContain('o-9000');
    expect(below).not.toContain('o-11000');
  });

  it('without a bound, still walks every open order in the states asked, page by page', async () => {
    let count = 0;
    for await (const _order of openOrdersWithDates(one, [8], { schema: SCHEMA, pageSize: 3_000 })) count += 1;
    expect(count).toBe(ASSIGNMENTS - ASSIGNMENTS / 2000);
  });
});
