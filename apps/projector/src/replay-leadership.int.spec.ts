import { Pool, type PoolClient } from 'pg';
import { commandMetadata, handleCommand } from '@prov/command-handling';
import { identityDecider, identityStreamName } from '@prov/domain';
import { PostgresEventStore } from '@prov/event-store';
import { ReadModelRebuild } from '@prov/read-models';
import { createTestDatabase, type TestDatabase, waitFor } from '@prov/testing';
import { ProjectorLifecycle } from './projector.lifecycle';
import { ReplayHandler } from './replay.handler';

const now = new Date('2026-11-01T10:00:00.000Z');

/** Two projector copies on one database: A leads live projection, the replay lands on B. */
describe('audit replay with two projector copies', () => {
  let db: TestDatabase;
  let poolA: Pool;
  let poolB: Pool;
  let storeA: PostgresEventStore;
  let storeB: PostgresEventStore;
  let copyA: ProjectorLifecycle;
  let blocker: PoolClient | undefined;

  const register = (id: string) =>
    handleCommand(
      storeA,
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
      { metadata: commandMetadata({ actor: 'test' }, now) },
    );
  const liveIdentities = async () =>
    (await poolA.query<{ identity_id: string }>('SELECT identity_id FROM rm.identities ORDER BY 1')).rows.map(
      (row) => row.identity_id,
    );

  beforeAll(async () => {
    db = await createTestDatabase('replay_leadership');
    poolA = new Pool({ connectionString: db.url });
    poolB = new Pool({ connectionString: db.url });
    // As the services' pools do (platform.module.ts): the spec terminates a session on purpose, and
    // a pooled connection that learns of it while idle must not end the process (CI saw it once).
    for (const pool of [poolA, poolB]) pool.on('error', () => undefined);
    storeA = await PostgresEventStore.connect({ pool: poolA });
    storeB = await PostgresEventStore.connect({ pool: poolB });
  });

  afterAll(async () => {
    await blocker?.query('ROLLBACK').catch(() => undefined);
    blocker?.release();
    await copyA?.beforeApplicationShutdown();
    await storeA.close();
    await storeB.close();
    await poolA.end();
    await poolB.end();
    await db.drop();
  });

  it('keeps the other copy from writing the live schema, and resumes it when the replaying copy dies', async () => {
    copyA = new ProjectorLifecycle(poolA, storeA);
    copyA.onApplicationBootstrap();
    await register('alice');
    await waitFor(liveIdentities, {
      until: (ids) => ids.includes('alice'),
      timeoutMs: 60_000,
      description: 'copy A to project alice',
    });
    expect(copyA.leading).toBe(true);

    // The shadow build waits on this lock (its first step drops rm_rebuild), so the replay stays
    // in progress for as long as the test needs.
    blocker = await poolA.connect();
    await blocker.query('CREATE SCHEMA rm_rebuild; CREATE TABLE rm_rebuild.blocker (x int)');
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE rm_rebuild.blocker IN ACCESS EXCLUSIVE MODE');

    // Copy B's live projector is not started: only copy A could write the live schema.
    const copyB = new ProjectorLifecycle(poolB, storeB);
    const replayB = new ReplayHandler(poolB, storeB, copyB);
    const { replayId } = await replayB.start({ actor: 'test' });
    await waitFor(() => ReadModelRebuild.status(poolA, replayId), {
      timeoutMs: 60_000, // a loaded CI machine: the bound, not the expected time
      description: 'the replay to be recorded',
    });

    await register('bob');
    // Copy A meets bob's batch, finds the replay lock taken and stands down without writing it.
    await waitFor(() => !copyA.leading, { timeoutMs: 60_000, description: 'copy A to stand down' });
    expect(await liveIdentities()).toEqual(['alice']);
    expect(await ReadModelRebuild.status(poolA, replayId)).toMatchObject({ status: 'Running' });

    // Copy B's session holding the replay lock ends, as when its process is killed.
    const { rows } = await poolA.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND mode = 'ExclusiveLock'
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND objid = (hashtext('projector:replay')::bigint & 4294967295)::oid`,
    );
    expect(rows).toHaveLength(1);
    await poolA.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);

    await waitFor(liveIdentities, {
      until: (ids) => ids.includes('bob'),
      timeoutMs: 60_000,
      description: 'copy A to project bob',
    });
    expect(copyA.leading).toBe(true);
    const failed = await ReadModelRebuild.status(poolA, replayId);
    expect(failed).toMatchObject({ replayId, status: 'Failed', error: 'the copy running it stopped' });
    expect(failed?.endedAt).toBeDefined();

    // Copy B's replay, let go, ends Failed too and swaps nothing in.
    await blocker.query('COMMIT');
    await replayB.running?.done;
    expect(await ReadModelRebuild.status(poolA, replayId)).toMatchObject({
      status: 'Failed',
      error: expect.stringMatching(/lost its lock/),
    });
    await register('carol');
    await waitFor(liveIdentities, {
      until: (ids) => ids.includes('carol'),
      timeoutMs: 60_000,
      description: 'copy A to project carol',
    });
    expect(await liveIdentities()).toEqual(['alice', 'bob', 'carol']);
  });
});
