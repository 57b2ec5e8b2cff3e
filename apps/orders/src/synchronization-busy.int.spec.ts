import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { type TestDatabase, waitFor } from '@prov/testing';
import { RecordingSlots } from './recording-slots';
import { SynchronizationBusyError, SynchronizationClaims } from './synchronization-claims';
import { type Replica, startReplicas, stopReplicas } from './testing/synchronization-replicas';

jest.setTimeout(60_000);

/**
 * A replica of `orders` short of database connections (ADR 0074): a recording holds one for its
 * claim's lock for its whole run. Reports beyond the process's slots wait for one, and a report
 * that gets neither a slot nor a connection in time is refused as busy (a 503 the agent hears
 * and may send again), never an internal error.
 */
describe('claiming a synchronization report on a busy replica', () => {
  let db: TestDatabase;
  let replicas: [Replica, Replica];
  let replica: Replica;

  beforeAll(async () => {
    ({ db, replicas } = await startReplicas());
    replica = replicas[0];
  });
  afterAll(() => stopReplicas(db, replicas));

  it('waits for a slot while this process records as many reports as it has slots, then is refused as busy', async () => {
    const claims = new SynchronizationClaims(replica.store, replica.pool, {
      waitMs: 300,
      slots: new RecordingSlots(1),
    });
    const recording = await claims.take(randomUUID(), 'corp_ldap');
    expect('claim' in recording).toBe(true);
    const another = randomUUID();

    await expect(claims.take(another, 'corp_ldap')).rejects.toThrow(
      new SynchronizationBusyError(
        `this replica of orders had no free recording slot (of 1) for synchronization ${another} within 1 s; send the report again`,
      ),
    );

    const waiting = claims.take(another, 'corp_ldap');
    if ('claim' in recording) await recording.claim.release();
    const taken = await waiting;
    expect('claim' in taken).toBe(true);
    if ('claim' in taken) await taken.claim.release();
  });

  it('is refused as busy, naming the report, when the pool has no connection for its lock in time', async () => {
    const exhausted = new Pool({ connectionString: db.url, max: 1, connectionTimeoutMillis: 200 });
    // Its one connection may itself take longer than 200 ms to open on a loaded machine: try again.
    const only = await waitFor(() => exhausted.connect(), {
      timeoutMs: 20_000,
      description: "the exhausted pool's one connection",
    });
    const claims = new SynchronizationClaims(replica.store, exhausted);
    const synchronizationId = randomUUID();
    try {
      const refused = await claims.take(synchronizationId, 'corp_ldap').catch((error: unknown) => error);

      expect(refused).toBeInstanceOf(SynchronizationBusyError);
      expect((refused as Error).message).toBe(
        `orders has no database connection for synchronization ${synchronizationId} right now; send the report again shortly`,
      );
    } finally {
      only.release();
      await exhausted.end();
    }
  });
});
