import { Pool, type PoolClient } from 'pg';
import { commandMetadata, handleCommand } from '@prov/command-handling';
import {
  type AssignmentCommand,
  assignmentDecider,
  assignmentStreamName,
  identityDecider,
  identityStreamName,
} from '@prov/domain';
import { PostgresEventStore, type RecordedEvent } from '@prov/event-store';
import { createTestDatabase, type TestDatabase, waitFor } from '@prov/testing';
import { liveWriteStatement, StandDownForReplay } from './live-write';
import { ALL_PROJECTIONS, Projector } from './projector';
import { assignmentProjection } from './projections/assignment.projection';
import { ensureReadModelSchema } from './schema';
import type { Projection } from './projections/projection';
import { inTransaction } from './transaction';

const now = new Date('2026-11-01T10:00:00.000Z');
const metadata = commandMetadata({ actor: 'test' }, now);
const ASSIGNMENTS = ['7b2d4f1e-5b75-4b90-8a76-6c9d1e2f3a01', '7b2d4f1e-5b75-4b90-8a76-6c9d1e2f3a02'];

/**
 * The live projector's single statement per batch (ADR 0043): what it sends, and that it writes
 * nothing over rows that changed since it read them, nor while the stand-down lock is taken.
 */
describe('live projection in one statement per batch (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;

  const request = (assignmentId: string, command: Partial<AssignmentCommand> & { type: string }) =>
    handleCommand(
      store,
      assignmentDecider,
      assignmentStreamName(assignmentId),
      {
        assignmentId,
        identityId: 'carl',
        entitlementId: 'hr_app_admin',
        now,
        ...command,
      } as AssignmentCommand,
      { metadata },
    );
  const generate = (assignmentId: string, orderId: string) =>
    request(assignmentId, {
      type: 'GenerateProvisioningOrder',
      orderId,
      changeType: 'Added',
      connectionId: 'hr_app',
      resourceTypeId: 'hr_app_account',
      fulfillment: 'automatic',
      changes: { accountKey: 'carl', attributes: {}, group: 'admins' },
      requiresReview: true,
    } as Partial<AssignmentCommand> & { type: string });

  beforeAll(async () => {
    db = await createTestDatabase('rm_live');
    pool = new Pool({ connectionString: db.url });
    store = await PostgresEventStore.connect({ pool });
    await handleCommand(
      store,
      identityDecider,
      identityStreamName('carl'),
      {
        type: 'RegisterIdentity',
        identityId: 'carl',
        login: 'carl',
        firstName: 'Carl',
        lastName: 'Lind',
        email: 'carl@example.test',
        now,
      },
      { metadata },
    );
    for (const [i, id] of ASSIGNMENTS.entries()) {
      await request(id, { type: 'RequestAssignment' });
      await generate(id, `o-${i}`);
    }
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  /** A pool whose clients record the text of every statement they send. */
  function countingPool(sent: string[]): Pool {
    const counted = new Pool({ connectionString: db.url });
    counted.on('connect', (client: PoolClient) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const config = args[0] as string | { text: string };
        sent.push((typeof config === 'string' ? config : config.text).replace(/\s+/g, ' ').trim());
        return query(...args);
      };
    });
    return counted;
  }

  /** The statements a projector sent after reading its checkpoint, reset before each step. */
  const afterCheckpoint = (sent: string[]) =>
    sent.slice(sent.findIndex((text) => text.startsWith('SELECT position FROM')) + 1);

  it('writes a batch of streams that begin in it as one statement, no transaction around it', async () => {
    const sent: string[] = [];
    const counted = countingPool(sent);
    try {
      await new Projector(counted, store, { schema: 'rm_live_count' }).replayToEnd({ bulk: false });
      expect(afterCheckpoint(sent)).toEqual([expect.stringMatching(/^WITH probe/)]);
    } finally {
      await counted.end();
    }
    await new Projector(pool, store, { schema: 'rm_live_bulk' }).replayToEnd();
    await expectSameRows('rm_live_count', 'rm_live_bulk');
  });

  it('reads a row it did not write itself once, then folds onto the state it wrote last', async () => {
    const sent: string[] = [];
    const counted = countingPool(sent);
    try {
      await new Projector(pool, store, { schema: 'rm_live_kept' }).replayToEnd({ bulk: false });
      const projector = new Projector(counted, store, { schema: 'rm_live_kept' });
      await request(ASSIGNMENTS[1], { type: 'ApproveProvisioningOrder', orderId: 'o-1', actor: 'rita' });
      await projector.replayToEnd();
      expect(afterCheckpoint(sent)).toEqual([
        expect.stringMatching(/^SELECT assignment_id, state, revision FROM rm_live_kept.assignments/),
        expect.stringMatching(/^WITH probe/),
      ]);
      await request(ASSIGNMENTS[1], {
        type: 'ReportProvisioningOrderErrored',
        orderId: 'o-1',
        by: 'agent',
        error: 'down',
      } as Partial<AssignmentCommand> & { type: string });
      sent.length = 0;
      await projector.replayToEnd();
      expect(afterCheckpoint(sent)).toEqual([expect.stringMatching(/^WITH probe/)]);
    } finally {
      await counted.end();
    }
    await new Projector(pool, store, { schema: 'rm_live_kept_ref' }).replayToEnd({ bulk: false });
    await expectSameRows('rm_live_kept', 'rm_live_kept_ref');
  });

  it('applies a batch by the exact path when a row changed between its read and its write', async () => {
    const exact = new Projector(pool, store, { schema: 'rm_live_exact' });
    await exact.replayToEnd({ bulk: false });
    await request(ASSIGNMENTS[0], { type: 'ApproveProvisioningOrder', orderId: 'o-0', actor: 'rita' });
    const [approved] = await lastEvents(1);
    // Another copy, leading for a moment too, applies the batch and one event more (a later
    // revision) right after this copy's read: writing this copy's fold would set the row back.
    await request(ASSIGNMENTS[0], {
      type: 'ReportProvisioningOrderErrored',
      orderId: 'o-0',
      by: 'agent',
      error: 'down',
    } as Partial<AssignmentCommand> & { type: string });
    const [errored] = await lastEvents(1);
    const overtaken: Projection = {
      ...assignmentProjection,
      async planMany(client, schema, events) {
        const plan = await assignmentProjection.planMany!(client, schema, events);
        await inTransaction(pool, (other) =>
          assignmentProjection.applyMany!(other, schema, [approved, errored]),
        );
        return plan;
      },
    };
    const live = new Projector(pool, store, {
      schema: 'rm_live_exact',
      projections: ALL_PROJECTIONS.map((p) => (p === assignmentProjection ? overtaken : p)),
    });
    await live.handle(approved);
    const { rows } = await pool.query(
      'SELECT revision, provisioning_state_code FROM rm_live_exact.assignments WHERE assignment_id = $1',
      [ASSIGNMENTS[0]],
    );
    expect(rows).toEqual([{ revision: errored.revision.toString(), provisioning_state_code: 3 }]);
    await new Projector(pool, store, { schema: 'rm_live_exact' }).replayToEnd();
    await new Projector(pool, store, { schema: 'rm_live_ref' }).replayToEnd({ bulk: false });
    await expectSameRows('rm_live_exact', 'rm_live_ref');
  });

  it('writes nothing, not even its checkpoint, while the stand-down lock is taken elsewhere', async () => {
    const holder = await pool.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtext('test:replay'))`);
      await ensureReadModelSchema(holder, 'rm_live_lock');
      const projector = new Projector(pool, store, {
        schema: 'rm_live_lock',
        standDownLock: () => 'test:replay',
      });
      const [event] = (await store.readAll({ maxCount: 1 })).events; // carl's registration
      await expect(projector.handle(event)).rejects.toBeInstanceOf(StandDownForReplay);
      const written = await pool.query(
        `SELECT (SELECT count(*) FROM rm_live_lock.identities) AS rows,
                (SELECT count(*) FROM rm_live_lock.checkpoints) AS checkpoints`,
      );
      expect(written.rows).toEqual([{ rows: '0', checkpoints: '0' }]);
      await holder.query(`SELECT pg_advisory_unlock(hashtext('test:replay'))`);
      await projector.handle(event);
      expect((await pool.query('SELECT count(*) AS n FROM rm_live_lock.identities')).rows).toEqual([
        { n: '1' },
      ]);
      // Again: the stream begins in the batch, so the live path takes it to have no row; the
      // statement finds one, writes nothing, and the exact path skips the event it applied already.
      await projector.handle(event);
      expect(
        (await pool.query('SELECT count(*) AS n, max(revision) AS r FROM rm_live_lock.identities')).rows,
      ).toEqual([{ n: '1', r: '0' }]);
    } finally {
      holder.release();
    }
  });

  it('locks the rows of a small batch through their key, not by reading the whole table', async () => {
    // Some thousands of rows, as in an installation's first weeks: the planner took the batch's
    // keys for 100 and hashed every row of both tables instead (ADR 0082).
    const schema = 'rm_live_plan';
    await inTransaction(pool, async (client) => {
      await ensureReadModelSchema(client, schema);
      await client.query(`INSERT INTO ${schema}.identities (identity_id, login, first_name, last_name, email,
          registered_at, updated_at, revision)
        SELECT 'i-' || n, 'login' || n, 'First', 'Last', 'user' || n || '@example.test', now(), now(), 0
          FROM generate_series(1, 3000) n`);
      await client.query(`INSERT INTO ${schema}.assignments (assignment_id, identity_id, entitlement_id,
          workflow_state, requested_at, provisioning_state_code, state, updated_at, revision)
        SELECT 'a-' || n, 'i-' || n, 'ldap_staff', 'Requested', now(), 8, '{"orders": []}', now(), 3
          FROM generate_series(1, 3000) n`);
    });
    await pool.query(`ANALYZE ${schema}.identities, ${schema}.assignments`);
    const read = (table: string, key: string, ids: string[]) => ({
      writes: [],
      read: { table: `${schema}.${table}`, key, revisions: Object.fromEntries(ids.map((id) => [id, '3'])) },
      keep: () => undefined,
    });
    const { text, values } = liveWriteStatement({
      schema,
      plans: [
        read('assignments', 'assignment_id', ['a-7', 'a-9']),
        read('identities', 'identity_id', ['i-7']),
      ],
      checkpoint: { name: 'test', position: '0', events: 3 },
    });
    const { rows } = await pool.query(`EXPLAIN (FORMAT JSON) ${text}`, values);
    const scans: string[] = [];
    const walk = (node: { 'Node Type': string; 'Relation Name'?: string; Plans?: unknown[] }) => {
      const through = /^(Index Scan|Bitmap Heap Scan)$/.test(node['Node Type']) ? 'key' : node['Node Type'];
      if (node['Relation Name']) scans.push(`${through} on ${node['Relation Name']}`);
      for (const child of node.Plans ?? []) walk(child as typeof node);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    expect(scans.filter((scan) => /on (assignments|identities)$/.test(scan))).toEqual([
      'key on assignments',
      'key on identities',
    ]);
  });

  it("copies the history from the store's table by the events' keys: the rows the exact path writes", async () => {
    // Both projectors must read the same log: wait until every event is below the log gate, which
    // other test files' transactions hold back (it only moves on).
    await waitFor(
      async () =>
        (await lastEvents(10_000)).length ===
        Number((await pool.query('SELECT count(*) AS n FROM es.events')).rows[0].n),
      { timeoutMs: 30_000, description: 'every event below the log gate' },
    );
    // The store's pool: the projector's plans copy the history rows with the server (ADR 0087).
    await new Projector(pool, store, { schema: 'rm_live_copied' }).replayToEnd({ bulk: false });
    await new Projector(pool, store, { schema: 'rm_live_copied_ref', copyFromStore: false }).replayToEnd({
      bulk: false,
    });
    await expectSameRows('rm_live_copied', 'rm_live_copied_ref');
    expect((await pool.query('SELECT count(*) AS n FROM rm_live_copied.history')).rows).toEqual([
      { n: String((await lastEvents(10_000)).filter((e) => e.streamName.startsWith('assignment-')).length) },
    ]);
    // What the plan sends for the history: each event's key, none of its payload.
    const events = (await lastEvents(10_000)).filter((e) => e.streamName.startsWith('assignment-'));
    const client = await pool.connect();
    try {
      await ensureReadModelSchema(client, 'rm_live_copied_plan');
      const plan = await assignmentProjection.planMany!(client, 'rm_live_copied_plan', events, undefined, {
        copyFromStore: true,
      });
      const history = plan.writes.filter((write) => /INTO rm_live_copied_plan\.history/.test(write.sql));
      expect(history).toHaveLength(1);
      expect(history[0].rows).toEqual(
        events.map(() => ({ global_position: expect.stringMatching(/^[0-9]+$/) as unknown })),
      );
    } finally {
      client.release();
    }
  });

  async function lastEvents(count: number): Promise<RecordedEvent[]> {
    const { events } = await store.readAll({ maxCount: 10_000 });
    return events.slice(-count);
  }

  async function expectSameRows(schema: string, reference: string) {
    for (const table of ['identities', 'assignments', 'orders', 'history', 'checkpoints']) {
      const columns = table === 'checkpoints' ? 'projection, position, events_handled' : '*';
      const a = await pool.query(`SELECT ${columns} FROM ${reference}.${table} ORDER BY 1, 2`);
      const b = await pool.query(`SELECT ${columns} FROM ${schema}.${table} ORDER BY 1, 2`);
      expect({ table, rows: b.rows }).toEqual({ table, rows: a.rows });
    }
  }
});
