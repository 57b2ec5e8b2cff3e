import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { commandMetadata, handleCommand } from '@prov/command-handling';
import { assignmentDecider, assignmentStreamName, identityDecider, identityStreamName } from '@prov/domain';
import { PostgresEventStore } from '@prov/event-store';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { Projector } from './projector';
import { type LiveProjectorControl, ReadModelRebuild } from './rebuild';

const now = new Date('2026-11-01T10:00:00.000Z');

/** The live side of a replay as the projector service has it: records whether it was left paused. */
class LiveControl implements LiveProjectorControl {
  paused = false;
  pauses = 0;
  async pause(): Promise<void> {
    this.paused = true;
    this.pauses++;
  }
  resume(): void {
    this.paused = false;
  }
}

describe('audit replay whose shadow build dies', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('rebuild');
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
        email: 'a@example.test',
        now,
      },
      { metadata: commandMetadata({ actor: 'test' }, now) },
    );
    const live = new Projector(pool, store);
    await live.start();
    await live.stop();
    await live.handle((await store.readStream(identityStreamName('alice')))[0]);
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  it('reports Failed with the reason and leaves the live projector running', async () => {
    // A registration without a login: the identities view refuses it (NOT NULL), so a projector
    // that meets it stops. The live read model is taken to be past it already.
    const poisoned = await store.appendToStream(identityStreamName('poisoned'), [
      { id: randomUUID(), type: 'IdentityRegistered', data: { identityId: 'poisoned' } },
    ]);
    await pool.query(
      `INSERT INTO rm.checkpoints (projection, position) VALUES ('read-models', $1)
       ON CONFLICT (projection) DO UPDATE SET position = EXCLUDED.position`,
      [poisoned.position],
    );
    const live = new LiveControl();
    const replayId = randomUUID();

    await expect(new ReadModelRebuild(pool, store, live).run(replayId)).rejects.toThrow(
      /shadow build failed/,
    );

    const status = await ReadModelRebuild.status(pool, replayId);
    expect(status).toMatchObject({ replayId, status: 'Failed' });
    expect(status?.error).toMatch(/shadow build failed: .*login/);
    expect(status?.endedAt).toBeDefined();
    expect(live.paused).toBe(false);
    // The live schema was not swapped for the half-built one.
    const { rows } = await pool.query('SELECT identity_id FROM rm.identities ORDER BY 1');
    expect(rows).toEqual([{ identity_id: 'alice' }]);
  });
});

describe('audit replay of a log', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  const tables = ['identities', 'assignments', 'orders', 'history'];
  const snapshot = async () => {
    const rows: Record<string, unknown[]> = {};
    for (const table of tables)
      rows[table] = (await pool.query(`SELECT * FROM rm.${table} ORDER BY 1, 2`)).rows;
    const indexes = await pool.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'rm' ORDER BY 1`,
    );
    return { rows, indexes: indexes.rows };
  };

  beforeAll(async () => {
    db = await createTestDatabase('rebuild_ok');
    pool = new Pool({ connectionString: db.url });
    store = await PostgresEventStore.connect({ pool });
    const metadata = commandMetadata({ actor: 'test' }, now);
    for (const id of ['bob', 'carol']) {
      await handleCommand(
        store,
        identityDecider,
        identityStreamName(id),
        {
          type: 'RegisterIdentity',
          identityId: id,
          login: id,
          firstName: id,
          lastName: 'X',
          email: `${id}@example.test`,
          now,
        },
        { metadata },
      );
      const assignmentId = randomUUID();
      await handleCommand(
        store,
        identityDecider,
        identityStreamName(id),
        {
          type: 'HoldEntitlement',
          identityId: id,
          entitlementId: 'hr_app_reader',
          assignmentId,
          holder: 'request',
          now,
        },
        { metadata },
      );
      await handleCommand(
        store,
        assignmentDecider,
        assignmentStreamName(assignmentId),
        { type: 'RequestAssignment', assignmentId, identityId: id, entitlementId: 'hr_app_reader', now },
        { metadata },
      );
    }
    // The live read models, built one batch at a time by the exact path.
    await new Projector(pool, store).replayToEnd({ bulk: false });
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  it('swaps in a bulk-loaded schema equal to the live one, row for row and index for index', async () => {
    const before = await snapshot();
    expect(before.rows.history).toHaveLength(2);
    const live = new LiveControl();
    const replayId = randomUUID();

    await new ReadModelRebuild(pool, store, live).run(replayId);

    expect(await ReadModelRebuild.status(pool, replayId)).toMatchObject({
      status: 'Completed',
      eventsHandled: 6,
    });
    expect(live).toMatchObject({ paused: false, pauses: 1 });
    expect(await snapshot()).toEqual(before);
  });

  it('a swap its guard refuses (the replay lock lost) leaves the live schema and ends Failed', async () => {
    const before = await snapshot();
    const live = new LiveControl();
    const replayId = randomUUID();

    await expect(
      new ReadModelRebuild(pool, store, live).run(replayId, {
        swapGuard: async () => {
          throw new Error('the replay lost its lock');
        },
      }),
    ).rejects.toThrow(/lost its lock/);

    expect(await ReadModelRebuild.status(pool, replayId)).toMatchObject({
      status: 'Failed',
      error: 'the replay lost its lock',
    });
    expect(live.paused).toBe(false);
    expect(await snapshot()).toEqual(before);
    const { rows } = await pool.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'rm_retired'`);
    expect(rows).toEqual([]);
  });
});
