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
} from '@prov/domain';
import { PostgresEventStore } from '@prov/event-store';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { Projector } from './projector';
import { ensureReadModelSchema } from './schema';
import { expectSameReadModels } from './testing/same-read-models';
import { ReadModelQueries } from './queries/read-model-queries';

const now = new Date('2026-11-01T10:00:00.000Z');
const metadata = commandMetadata({ actor: 'test' }, now);
const ASSIGNMENT = '6a1c3e0e-4a64-4a8f-9f65-5b8c0d1e2f30';

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('read-model projector (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('rm');
    pool = new Pool({ connectionString: db.url });
    store = await PostgresEventStore.connect({ pool });
    await handleCommand(
      store,
      identityDecider,
      identityStreamName('alice'),
      {
        type: 'RegisterIdentity',
        identityId: 'alice',
        login: 'amartin',
        firstName: 'Alice',
        lastName: 'Martin',
        email: 'alice@example.test',
        now,
      },
      { metadata },
    );
    const commands: AssignmentCommand[] = [
      {
        type: 'RequestAssignment',
        assignmentId: ASSIGNMENT,
        identityId: 'alice',
        entitlementId: 'hr_app_admin',
        now,
      },
      {
        type: 'GenerateProvisioningOrder',
        assignmentId: ASSIGNMENT,
        orderId: 'o-1',
        changeType: 'Added',
        connectionId: 'hr_app',
        resourceTypeId: 'hr_app_account',
        fulfillment: 'automatic',
        changes: { accountKey: 'amartin', attributes: {}, group: 'admins' },
        requiresReview: true,
        now,
      },
      {
        type: 'ApproveProvisioningOrder',
        assignmentId: ASSIGNMENT,
        orderId: 'o-1',
        now,
        actor: 'reviewer-1',
      },
      {
        type: 'ReportProvisioningOrderErrored',
        assignmentId: ASSIGNMENT,
        orderId: 'o-1',
        by: 'agent',
        error: 'target down',
        now,
      },
    ];
    for (const command of commands) {
      await handleCommand(store, assignmentDecider, assignmentStreamName(ASSIGNMENT), command, { metadata });
    }
    await handleCommand(
      store,
      jobDecider,
      jobStreamName('j-1'),
      {
        type: 'StartJob',
        jobId: 'j-1',
        kind: 'complete',
        tasks: ['synchronize'],
        trigger: 'api',
        now,
      },
      { metadata },
    );
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  it('builds the assignment, order, history, identity and job views from the log', async () => {
    const projector = new Projector(pool, store);
    await projector.start();
    const queries = new ReadModelQueries(pool);
    const assignment = await waitFor(
      () => queries.assignment(ASSIGNMENT),
      (a) => a?.provisioningStateCode === 3,
      'Errored',
    );
    expect(assignment).toMatchObject({
      identityId: 'alice',
      workflowState: 'Requested',
      provisioningState: 'Errored',
      currentOrder: { orderId: 'o-1', provisioningState: 'Errored', attempt: 1, lastError: 'target down' },
      revision: 3,
    });
    expect((await queries.reviewQueue()).items.map((o) => o.orderId)).toEqual(['o-1']);
    expect((await queries.history(ASSIGNMENT)).map((e) => e.type)).toEqual([
      'AssignmentRequested',
      'ProvisioningOrderGenerated',
      'ProvisioningOrderApproved',
      'ProvisioningOrderErrored',
    ]);
    expect(await queries.identity('alice')).toMatchObject({ login: 'amartin', firstName: 'Alice' });
    expect(
      await waitFor(
        () => queries.job('j-1'),
        (j) => j !== undefined,
        'job',
      ),
    ).toMatchObject({ status: 'Running' });
    await projector.stop();
  });

  it('resumes after its checkpoint: events appended while it was stopped arrive once', async () => {
    await handleCommand(
      store,
      assignmentDecider,
      assignmentStreamName(ASSIGNMENT),
      {
        type: 'RetryProvisioningOrder',
        assignmentId: ASSIGNMENT,
        orderId: 'o-1',
        now,
        actor: 'reviewer-1',
      },
      { metadata },
    );
    const projector = new Projector(pool, store);
    await projector.start();
    const queries = new ReadModelQueries(pool);
    await waitFor(
      () => queries.assignment(ASSIGNMENT),
      (a) => a?.currentOrder?.attempt === 2,
      'retried order',
    );
    expect(projector.eventsHandled).toBe(1);
    expect((await queries.history(ASSIGNMENT)).length).toBe(5);
    await projector.stop();
  });

  it('rebuilt from position zero into another schema, the read model equals the live one', async () => {
    const replay = new Projector(pool, store, { schema: 'rm_replay' });
    await replay.start();
    const live = await pool.query('SELECT position FROM rm.checkpoints');
    await waitFor(
      () => pool.query('SELECT position FROM rm_replay.checkpoints').then((r) => r.rows[0]?.position),
      (position) => position === live.rows[0].position,
      'replay to catch up',
    );
    await replay.stop();
    for (const table of ['identities', 'assignments', 'orders', 'history', 'jobs']) {
      const a = await pool.query(`SELECT * FROM rm.${table} ORDER BY 1, 2`);
      const b = await pool.query(`SELECT * FROM rm_replay.${table} ORDER BY 1, 2`);
      expect({ table, rows: b.rows }).toEqual({ table, rows: a.rows });
    }
  });

  const expectEqualToLive = (
    schema: string,
    tables = ['identities', 'assignments', 'orders', 'history', 'jobs'],
  ) => expectSameReadModels(pool, schema, tables);

  it('a bulk replay into an empty schema equals the live read model, streams spanning pages included', async () => {
    // Pages of two events: the identity and the assignment are met again pages after their
    // first event, so the bulk path must look their rows up instead of appending them.
    const replay = new Projector(pool, store, { schema: 'rm_bulk' });
    await replay.replayToEnd({ pageSize: 2 });
    await expectEqualToLive('rm_bulk');
  });

  it('a bulk replay on the generic path (rows not copied from the store table) equals the live read model', async () => {
    // The path of every store other than PostgreSQL on the read models' own database: the
    // history rows are written from the events read, not copied by the server (ADR 0038).
    const replay = new Projector(pool, store, { schema: 'rm_bulk_generic', copyFromStore: false });
    await replay.replayToEnd({ pageSize: 2 });
    await expectEqualToLive('rm_bulk_generic');
  });

  it('a bulk load that died before its end is started again, not continued', async () => {
    // What a load that died midway leaves: rows of its first pages and no checkpoint (the
    // checkpoint is written in the load's last transaction, with the identities).
    const first = new Projector(pool, store, { schema: 'rm_bulk_restart' });
    await first.replayToEnd();
    await pool.query('DELETE FROM rm_bulk_restart.checkpoints');
    await pool.query('DELETE FROM rm_bulk_restart.identities');
    await pool.query('DELETE FROM rm_bulk_restart.history WHERE revision > 0');
    const again = new Projector(pool, store, { schema: 'rm_bulk_restart' });
    await again.replayToEnd();
    await expectEqualToLive('rm_bulk_restart');
  });

  it('a bulk page that meets a row it took for new is applied again by the exact path', async () => {
    // The load in log order (generic path): a load by stream discards such rows first (below).
    const replay = new Projector(pool, store, { schema: 'rm_bulk_order_conflict', copyFromStore: false });
    const client = await pool.connect();
    await ensureReadModelSchema(client, 'rm_bulk_order_conflict').finally(() => client.release());
    // An order row the bulk path takes for new (its assignment begins in the page): the page's
    // COPY of orders fails, and the exact path updates the row as the live path would.
    await pool.query(
      `INSERT INTO rm_bulk_order_conflict.orders (order_id, assignment_id, identity_id, entitlement_id, changes,
         provisioning_state_code, attempt, is_open, generated_at, updated_at)
       VALUES ('o-1', $1, 'alice', 'hr_app_admin', '{}', 0, 0, false, $2, $2)`,
      [ASSIGNMENT, now],
    );
    await replay.replayToEnd();
    await expectEqualToLive('rm_bulk_order_conflict');
  });

  it('a bulk load in log order folds identity events over the identity rows the schema has already', async () => {
    // The generic path (ADR 0038); a load by stream discards them (ADR 0047, below).
    const replay = new Projector(pool, store, { schema: 'rm_bulk_conflict', copyFromStore: false });
    const client = await pool.connect();
    await ensureReadModelSchema(client, 'rm_bulk_conflict').finally(() => client.release());
    // A row the load does not expect (revision below every event's): the load reads it before
    // its first page and folds alice's events over it, as the live path would (ADR 0038).
    await pool.query(
      `INSERT INTO rm_bulk_conflict.identities (identity_id, login, first_name, last_name, email, registered_at, updated_at, revision)
       VALUES ('alice', 'x', 'x', 'x', 'x', now(), now(), -1)`,
    );
    await replay.replayToEnd();
    const { rows } = await pool.query('SELECT login, revision FROM rm_bulk_conflict.identities');
    expect(rows).toEqual([{ login: 'x', revision: '0' }]); // registering a registered identity changes nothing
    await expectEqualToLive('rm_bulk_conflict', ['assignments', 'orders', 'history', 'jobs']);
  });

  it('a bulk load that holds fewer identities than the log has equals the live read model', async () => {
    // Past its budget the load writes the identities it holds and reads them back when met again:
    // alice is met again pages after her registration (a hold), and the live schema follows.
    await handleCommand(
      store,
      identityDecider,
      identityStreamName('alice'),
      {
        type: 'HoldEntitlement',
        identityId: 'alice',
        entitlementId: 'hr_app_admin',
        assignmentId: ASSIGNMENT,
        holder: 'request',
        now,
      },
      { metadata },
    );
    await new Projector(pool, store).replayToEnd();
    // The budget is the generic path's (a load by stream holds no identity across batches).
    const replay = new Projector(pool, store, {
      schema: 'rm_bulk_spill',
      bulkLoadHeldAtMost: 0,
      copyFromStore: false,
    });
    await replay.replayToEnd({ pageSize: 2 });
    await expectEqualToLive('rm_bulk_spill');
  });
});
