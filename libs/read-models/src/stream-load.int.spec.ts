import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { commandMetadata, handleCommand } from '@prov/command-handling';
import {
  type AssignmentCommand,
  assignmentDecider,
  assignmentStreamName,
  identityDecider,
  identityStreamName,
  jobDecider,
  jobStreamName,
  synchronizationStreamName,
} from '@prov/domain';
import { PostgresEventStore, replayGate } from '@prov/event-store';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { ALL_PROJECTIONS, Projector } from './projector';
import { beginStreamLoad } from './bulk-load';
import { copyFromStoreAlongside } from './copy-alongside';
import { ensureReadModelSchema } from './schema';
import { loadByStream } from './stream-load';
import { expectSameReadModels } from './testing/same-read-models';

const now = new Date('2026-11-01T10:00:00.000Z');
const metadata = commandMetadata({ actor: 'test' }, now);
const TABLES = [
  'identities',
  'assignments',
  'orders',
  'history',
  'jobs',
  'synchronizations',
  'non_conforming',
];

/**
 * The bulk load by stream (ADR 0047): the log grouped by stream, each stream folded whole. Its
 * result must be the live path's, rows, indexes and checkpoint, whatever the page size (a stream
 * cut by a page waits for the rest of its events).
 */
describe('bulk load by stream (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;

  const identity = (identityId: string, command: Record<string, unknown>) =>
    handleCommand(
      store,
      identityDecider,
      identityStreamName(identityId),
      { identityId, now, ...command } as never,
      {
        metadata,
      },
    );
  const assignment = (assignmentId: string, command: Record<string, unknown>) =>
    handleCommand(
      store,
      assignmentDecider,
      assignmentStreamName(assignmentId),
      { assignmentId, now, ...command } as AssignmentCommand,
      { metadata },
    );
  /** An assignment of `identityId` with an order, held by the identity (as a real log has it). */
  async function assign(assignmentId: string, identityId: string, entitlementId: string, orderId: string) {
    await assignment(assignmentId, { type: 'RequestAssignment', identityId, entitlementId });
    await identity(identityId, {
      type: 'HoldEntitlement',
      entitlementId,
      assignmentId,
      holder: 'request',
    });
    await assignment(assignmentId, {
      type: 'GenerateProvisioningOrder',
      orderId,
      changeType: 'Added',
      connectionId: 'hr_app',
      resourceTypeId: 'hr_app_account',
      fulfillment: 'automatic',
      changes: { accountKey: identityId, attributes: {}, group: entitlementId },
      requiresReview: false,
    });
  }
  const sync = (connectionId: string, type: string, data: Record<string, unknown>) =>
    store.appendToStream(synchronizationStreamName(connectionId), [
      { id: randomUUID(), type, data: { connectionId, at: now.toISOString(), ...data } },
    ]);

  /** The live path's read models in `rm`: the batch path of the subscription, up to the end. */
  const projectLive = () => new Projector(pool, store).replayToEnd({ bulk: false });

  const expectEqualToLive = (schema: string) => expectSameReadModels(pool, schema, TABLES);
  /** An index the DDL does not know, added to `schema`'s assignments as an operator would. */
  async function addOperatorIndex(schema: string, columns: string) {
    const client = await pool.connect();
    await ensureReadModelSchema(client, schema).finally(() => client.release());
    await pool.query(`CREATE INDEX assignments_by_operator ON ${schema}.assignments (${columns})`);
  }
  const operatorIndexes = async (schema: string) =>
    (
      await pool.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'assignments_by_operator'`,
        [schema],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase('rmstream');
    pool = new Pool({ connectionString: db.url });
    store = await PostgresEventStore.connect({ pool });
    // A stream whose revision 1 is before its revision 0 in the log (its transaction got the
    // lower id): the live path applies 1, then skips 0; a fold in revision order would not.
    await pool.query(`INSERT INTO es.streams (stream_name, revision) VALUES ('identity-zed', 1)`);
    const registered = (login: string) =>
      JSON.stringify({
        identityId: 'zed',
        login,
        firstName: 'Z',
        lastName: 'Z',
        email: 'z@example.test',
        at: now,
      });
    await pool.query(
      `INSERT INTO es.events (transaction_id, stream_name, stream_revision, event_id, event_type, data)
       VALUES ('4', 'identity-zed', 0, gen_random_uuid(), 'IdentityRegistered', $1),
              ('3', 'identity-zed', 1, gen_random_uuid(), 'IdentityRegistered', $2)`,
      [registered('early'), registered('late')],
    );
    for (const [id, login] of [
      ['alice', 'amartin'],
      ['bob', 'bdurand'],
    ])
      await identity(id, {
        type: 'RegisterIdentity',
        login,
        firstName: id,
        lastName: 'Test',
        email: `${id}@example.test`,
      });
    // Interleaved: each identity is met again after other streams' events, as in a real log.
    await assign('6a1c3e0e-4a64-4a8f-9f65-5b8c0d1e2f30', 'alice', 'hr_app_admin', 'o-1');
    await assign('7b2d4f1f-5b75-4b90-8a76-6c9d1e2f3a41', 'bob', 'hr_app_admin', 'o-2');
    await assign('8c3e5a2a-6c86-4ca1-9b87-7d0e2f3a4b52', 'alice', 'hr_app_user', 'o-3');
    await handleCommand(
      store,
      jobDecider,
      jobStreamName('j-1'),
      { type: 'StartJob', jobId: 'j-1', kind: 'complete', tasks: ['synchronize'], trigger: 'api', now },
      { metadata },
    );
    // Synchronizations mix streams' rows by connection: they are applied in log order.
    await sync('hr_app', 'NonConformingResourceFound', {
      synchronizationId: 's-1',
      kind: 'account',
      accountKey: 'x',
    });
    await sync('hr_app', 'SynchronizationCompleted', {
      synchronizationId: 's-1',
      accounts: 3,
      memberships: 2,
      verifiedOrders: 1,
      nonConforming: 1,
    });
    await projectLive();
    const zed = await pool.query(`SELECT login, revision FROM rm.identities WHERE identity_id = 'zed'`);
    expect(zed.rows).toEqual([{ login: 'late', revision: '1' }]);
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  it.each([1, 2, 3, 5_000])('equals the live read models with pages of %i events', async (pageSize) => {
    const replay = new Projector(pool, store, { schema: `rm_stream_${pageSize}` });
    await replay.replayToEnd({ pageSize });
    await expectEqualToLive(`rm_stream_${pageSize}`);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM es.events`);
    expect(replay.eventsHandled).toBe(rows[0].n);
  });

  it('writes two batches of whole streams at once, never more (ADR 0055)', async () => {
    let inFlight = 0;
    let most = 0;
    let secondStarted!: () => void;
    const second = new Promise<void>((resolve) => (secondStarted = resolve));
    const applied: string[] = [];
    await loadByStream(store, ALL_PROJECTIONS, 1, async (events) => {
      inFlight++;
      most = Math.max(most, inFlight);
      if (inFlight >= 2) secondStarted();
      // The first batch ends only once a second one is being written (bounded: one at a time
      // would wait here in vain, and the count below says so).
      await Promise.race([second, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      applied.push(...events.map((e) => e.id));
      inFlight--;
    });
    expect(most).toBe(2);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM es.events`);
    expect(applied).toHaveLength(rows[0].n);
  });

  it('discards the rows a load that died left and starts again', async () => {
    const client = await pool.connect();
    await ensureReadModelSchema(client, 'rm_stream_died').finally(() => client.release());
    await pool.query(
      `INSERT INTO rm_stream_died.identities (identity_id, login, first_name, last_name, email, registered_at, updated_at, revision)
       VALUES ('alice', 'x', 'x', 'x', 'x', now(), now(), 7)`,
    );
    await pool.query(
      `INSERT INTO rm_stream_died.orders (order_id, assignment_id, identity_id, entitlement_id, changes,
         provisioning_state_code, attempt, is_open, generated_at, updated_at)
       VALUES ('o-1', 'a', 'alice', 'e', '{}', 0, 0, false, now(), now())`,
    );
    await new Projector(pool, store, { schema: 'rm_stream_died' }).replayToEnd();
    await expectEqualToLive('rm_stream_died');
  });

  it('copies the history and builds its key alongside the load: kept when committed, nothing when dropped (ADR 0079)', async () => {
    const client = await pool.connect();
    await ensureReadModelSchema(client, 'rm_alongside').finally(() => client.release());
    const count = async () =>
      (await pool.query(`SELECT count(*)::int AS n FROM rm_alongside.history`)).rows[0].n as number;
    const events = (
      await pool.query(`SELECT count(*)::int AS n FROM es.events WHERE stream_name ^@ 'assignment-'`)
    ).rows[0].n as number;
    // As a load leaves it: the key dropped, built again with the copy.
    await pool.query(`ALTER TABLE rm_alongside.history DROP CONSTRAINT history_pkey`);
    const keyed = async () =>
      (
        await pool.query(
          `SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid = 'rm_alongside.history'::regclass AND contype = 'p'`,
        )
      ).rows[0].n as number;
    const gate = await replayGate(store);
    const dropped = copyFromStoreAlongside(pool, 'rm_alongside', ALL_PROJECTIONS, gate)!;
    await dropped.drop();
    expect([await count(), await keyed()]).toEqual([0, 0]);
    const kept = copyFromStoreAlongside(pool, 'rm_alongside', ALL_PROJECTIONS, gate)!;
    await kept.keep();
    expect([await count(), await keyed()]).toEqual([events, 1]);
    // A drop after keep (the load failed after the copy committed) leaves alone the connection
    // the copy gave back, now in another transaction.
    const reused = new Pool({ connectionString: db.url, max: 3 });
    const copy = copyFromStoreAlongside(reused, 'rm_alongside', ALL_PROJECTIONS, gate)!;
    await pool.query(`TRUNCATE rm_alongside.history`);
    await copy.keep();
    const other = await reused.connect();
    await other.query('BEGIN');
    await other.query(`INSERT INTO rm_alongside.checkpoints (projection, position) VALUES ('other', 'x')`);
    await copy.drop();
    await other.query('COMMIT');
    other.release();
    const checkpoints = await pool.query(`SELECT projection FROM rm_alongside.checkpoints`);
    expect(checkpoints.rows).toEqual([{ projection: 'other' }]);
    await reused.end();
    // A pool that cannot spare the copy its own connection copies at the end of the load instead.
    const small = new Pool({ connectionString: db.url, max: 2 });
    expect(copyFromStoreAlongside(small, 'rm_alongside', ALL_PROJECTIONS, gate)).toBeUndefined();
    await small.end();
  });

  it('leaves out of the history an event its fold did not apply, as the live path does (ADR 0079)', async () => {
    // An order's report on an assignment that was never requested: the fold leaves the assignment
    // non-existent, so the live path writes no row for it; the history copied alongside the load
    // had it, and is rolled back and copied again without it.
    const assignmentId = '9d4f6b3b-7d97-4db2-8c98-8e1f3a4b5c63';
    await store.appendToStream(assignmentStreamName(assignmentId), [
      {
        id: randomUUID(),
        type: 'ProvisioningOrderExecuted',
        data: { assignmentId, orderId: 'o-9', at: now.toISOString() },
      },
    ]);
    await projectLive();
    const replay = new Projector(pool, store, { schema: 'rm_stream_not_applied' });
    await replay.replayToEnd();
    await expectEqualToLive('rm_stream_not_applied');
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM rm_stream_not_applied.history WHERE assignment_id = $1`,
      [assignmentId],
    );
    expect(rows[0].n).toBe(0);
  });

  it('builds again every index it dropped, one an operator added included', async () => {
    await addOperatorIndex('rm_stream_indexes', 'entitlement_id, identity_id');
    await new Projector(pool, store, { schema: 'rm_stream_indexes' }).replayToEnd();
    expect((await operatorIndexes('rm_stream_indexes')).map((r) => r.indexdef)).toEqual([
      'CREATE INDEX assignments_by_operator ON rm_stream_indexes.assignments USING btree (entitlement_id, identity_id)',
    ]);
  });

  it('builds again the indexes a load that died dropped, one an operator added included', async () => {
    await addOperatorIndex('rm_stream_died_indexes', 'entitlement_id, identity_id');
    // A load that dropped the indexes and died: the next one finds them gone.
    await beginStreamLoad(pool, 'rm_stream_died_indexes');
    await new Projector(pool, store, { schema: 'rm_stream_died_indexes' }).replayToEnd();
    expect(await operatorIndexes('rm_stream_died_indexes')).toHaveLength(1);
    await pool.query(`DROP INDEX rm_stream_died_indexes.assignments_by_operator`);
    // Rows, the other indexes and the checkpoint as the live path's; the list of the dropped is gone.
    await expectEqualToLive('rm_stream_died_indexes');
    const tables = await pool.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'rm_stream_died_indexes' AND tablename = 'dropped_indexes'`,
    );
    expect(tables.rows).toEqual([]);
  });

  it('loads in log order, as replays did before, when two streams write one order row', async () => {
    // o-2 written again by a stream that comes before bob's assignment in stream order but after
    // it in the log. Such a row depends on how the events were batched, on the live path too
    // (an upsert keeps the first writer's assignment, one batch the last writer's row): the load
    // by stream gives way to the load in log order (ADR 0038), whose result it must then equal.
    await assign('0a0a0a0a-0000-4000-8000-000000000001', 'bob', 'hr_app_user', 'o-2');
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM es.events`);
    for (const pageSize of [2, 5_000]) {
      const logOrder = `rm_log_order_${pageSize}`;
      await new Projector(pool, store, { schema: logOrder, copyFromStore: false }).replayToEnd({ pageSize });
      const schema = `rm_stream_shared_${pageSize}`;
      // An operator's index is built again by the load in log order, which finds it dropped by
      // the load by stream (ADR 0079).
      await addOperatorIndex(schema, 'entitlement_id');
      const replay = new Projector(pool, store, { schema });
      await replay.replayToEnd({ pageSize });
      expect(await operatorIndexes(schema)).toHaveLength(1);
      await pool.query(`DROP INDEX ${schema}.assignments_by_operator`);
      await expectSameReadModels(pool, schema, TABLES, logOrder);
      expect(replay.eventsHandled).toBe(rows[0].n);
    }
  });
});
