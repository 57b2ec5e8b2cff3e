import { randomUUID } from 'node:crypto';
import { synchronizationClaimStreamName } from '@prov/domain';
import { tryAdvisoryLock } from '@prov/platform';
import type { TestDatabase } from '@prov/testing';
import { restoreOrderId } from './drift-restore';
import { MissingReadBackPagesError } from './read-back-pages.store';
import {
  lockClaim,
  SynchronizationClaims,
  SynchronizationInProgressError,
  SynchronizationOfAnotherConnectionError,
} from './synchronization-claims';
import {
  type DriftedConnection,
  driftedConnection,
  recorded,
  type Replica,
  startReplicas,
  stopReplicas,
} from './testing/synchronization-replicas';

jest.setTimeout(120_000);

/**
 * One report, one recording (ADR 0074): the same report (same synchronizationId) delivered to
 * two replicas of `orders` at once, or again after it was recorded, is recorded once, and every
 * delivery answers the first recording's outcome. The connection restores drift, so a second
 * recording would also show as a second set of restore orders.
 */
describe('a synchronization report delivered more than once', () => {
  let db: TestDatabase;
  let replicas: [Replica, Replica];

  beforeAll(async () => ({ db, replicas } = await startReplicas()));
  afterAll(() => stopReplicas(db, replicas));

  /** A recording on a connection's stream: the two findings, the restore order, the completion. */
  const once = {
    NonConformingResourceFound: 2,
    DriftRestoreRequested: 1,
    SynchronizationCompleted: 1,
    restoreOrdersGenerated: 1,
  };
  const eventsOf = (connection: DriftedConnection) =>
    recorded(
      replicas[0].pool,
      connection.connectionId,
      restoreOrderId(connection.gone.assignmentId, connection.gone.orderId),
    );
  /** The report of a whole read-back of `connection`, under a synchronizationId of its own. */
  const reportOf = (connection: DriftedConnection) => ({
    connectionId: connection.connectionId,
    synchronizationId: randomUUID(),
    ...connection.readBack,
  });
  /** The answer to every delivery of a report of a drifted connection: one recording's. */
  const outcomeOf = (synchronizationId: string) => ({
    synchronizationId,
    verified: 1,
    nonConforming: 2,
    restoreOrders: 1,
  });
  const eventCount = async () =>
    (await replicas[0].pool.query<{ n: number }>('SELECT count(*)::int AS n FROM es.events')).rows[0].n;

  it('by two replicas at once and then again: one set of findings, one completion, one restore order, one answer', async () => {
    const connection = await driftedConnection(replicas[0]);
    const report = reportOf(connection);

    const answers = await Promise.all(replicas.map((replica) => replica.synchronization.record(report)));

    const outcome = outcomeOf(report.synchronizationId);
    expect(answers).toEqual([outcome, outcome]);
    expect(await eventsOf(connection)).toEqual(once);

    const before = await eventCount();
    expect(await replicas[1].synchronization.record(report)).toEqual(outcome);
    expect(await replicas[0].synchronization.record(report)).toEqual(outcome);
    expect(await eventCount()).toBe(before);
  });

  it('in pages, by two replicas at once and then again after its pages are gone: recorded once, never a 422', async () => {
    const connection = await driftedConnection(replicas[0]);
    const { connectionId } = connection;
    const synchronizationId = randomUUID();
    const [first, second] = connection.readBack.accounts;
    await replicas[0].synchronization.recordPage({
      connectionId,
      synchronizationId,
      page: 0,
      accounts: [first],
      memberships: [],
    });
    await replicas[1].synchronization.recordPage({
      connectionId,
      synchronizationId,
      page: 1,
      accounts: [second],
      memberships: [],
    });
    const report = { connectionId, synchronizationId, pages: 2, accounts: [], memberships: [] };

    const answers = await Promise.all(replicas.map((replica) => replica.synchronization.record(report)));

    const outcome = outcomeOf(synchronizationId);
    expect(answers).toEqual([outcome, outcome]);
    expect(await eventsOf(connection)).toEqual(once);
    const { rows } = await replicas[0].pool.query(
      'SELECT 1 FROM sync_staging.read_back_pages WHERE synchronization_id = $1',
      [synchronizationId],
    );
    expect(rows).toHaveLength(0);
    expect(await replicas[1].synchronization.record(report)).toEqual(outcome);
    expect(await eventsOf(connection)).toEqual(once);
  });

  it('after a failed recording: the claim is given up, and the report sent again is recorded', async () => {
    const connection = await driftedConnection(replicas[0]);
    const { connectionId } = connection;
    const synchronizationId = randomUUID();
    const [first, second] = connection.readBack.accounts;
    const page = (n: number, account: typeof first) =>
      replicas[0].synchronization.recordPage({
        connectionId,
        synchronizationId,
        page: n,
        accounts: [account],
        memberships: [],
      });
    await page(0, first);
    const report = { connectionId, synchronizationId, pages: 2, accounts: [], memberships: [] };

    await expect(replicas[0].synchronization.record(report)).rejects.toBeInstanceOf(
      MissingReadBackPagesError,
    );
    await page(1, second);

    expect(await replicas[1].synchronization.record(report)).toEqual(outcomeOf(synchronizationId));
    expect(await eventsOf(connection)).toEqual(once);
    const claims = await replicas[0].store.readStream(synchronizationClaimStreamName(synchronizationId));
    expect(claims.map((event) => event.type)).toEqual([
      'SynchronizationClaimed',
      'SynchronizationAbandoned',
      'SynchronizationClaimed',
      'SynchronizationRecorded',
    ]);
  });

  it('takes over a claim whose replica stopped (its lock is free), and waits for one whose replica works on it', async () => {
    const stopped = await driftedConnection(replicas[0]);
    const leftBehind = reportOf(stopped);
    const claimStream = synchronizationClaimStreamName(leftBehind.synchronizationId);
    const claimed = { synchronizationId: leftBehind.synchronizationId, connectionId: stopped.connectionId };
    await replicas[0].store.appendToStream(
      claimStream,
      [
        {
          id: randomUUID(),
          type: 'SynchronizationClaimed',
          data: { ...claimed, at: new Date().toISOString() },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    expect((await replicas[1].synchronization.record(leftBehind)).nonConforming).toBe(2);
    expect(await eventsOf(stopped)).toEqual(once);

    // A replica at work: it holds the claim's lock until it has appended the outcome.
    const working = { ...claimed, synchronizationId: randomUUID() };
    const lock = (await lockClaim(replicas[0].pool, working.synchronizationId))!;
    const workingStream = synchronizationClaimStreamName(working.synchronizationId);
    await replicas[0].store.appendToStream(workingStream, [
      {
        id: randomUUID(),
        type: 'SynchronizationClaimed',
        data: { ...working, at: new Date().toISOString() },
      },
    ]);
    const impatient = new SynchronizationClaims(replicas[1].store, replicas[1].pool, { waitMs: 300 });
    await expect(impatient.take(working.synchronizationId, working.connectionId)).rejects.toBeInstanceOf(
      SynchronizationInProgressError,
    );
    const waiting = replicas[1].synchronization.record({ ...working, ...stopped.readBack });
    const outcome = {
      synchronizationId: working.synchronizationId,
      verified: 7,
      nonConforming: 7,
      restoreOrders: 7,
    };
    await replicas[0].store.appendToStream(workingStream, [
      {
        id: randomUUID(),
        type: 'SynchronizationRecorded',
        data: { ...working, ...outcome, at: new Date().toISOString() },
      },
    ]);
    await lock.release();
    expect(await waiting).toEqual(outcome);
    expect(await eventsOf(stopped)).toEqual(once);
  });

  it('with its synchronizationId in upper case by one replica and lower case by the other: recorded once', async () => {
    const connection = await driftedConnection(replicas[0]);
    const report = reportOf(connection);
    const shouted = { ...report, synchronizationId: report.synchronizationId.toUpperCase() };

    const answers = await Promise.all([
      replicas[0].synchronization.record(shouted),
      replicas[1].synchronization.record(report),
    ]);

    const outcome = outcomeOf(report.synchronizationId);
    expect(answers).toEqual([outcome, outcome]);
    expect(await eventsOf(connection)).toEqual(once);
  });

  it("is not kept waiting by a singleton's lock on the same hash: claims lock in a key space of their own", async () => {
    const connection = await driftedConnection(replicas[0]);
    const report = reportOf(connection);
    // Held for as long as their leader runs: one-key locks on the hashes a claim could meet.
    const singletons = await Promise.all(
      [report.synchronizationId, `synchronization:${report.synchronizationId}`].map((name) =>
        tryAdvisoryLock(replicas[0].pool, name),
      ),
    );
    const impatient = new SynchronizationClaims(replicas[1].store, replicas[1].pool, { waitMs: 300 });

    const taken = await impatient.take(report.synchronizationId, report.connectionId);

    expect('claim' in taken).toBe(true);
    if ('claim' in taken) await taken.claim.release();
    await Promise.all(singletons.map((lock) => lock!.release()));
  });

  it("refuses a report naming another connection's synchronization", async () => {
    const connection = await driftedConnection(replicas[0]);
    const report = reportOf(connection);
    await replicas[0].synchronization.record(report);

    await expect(
      replicas[1].synchronization.record({ ...report, connectionId: 'another_connection' }),
    ).rejects.toThrow(
      new SynchronizationOfAnotherConnectionError(
        `synchronization ${report.synchronizationId} is connection ${connection.connectionId}'s, not another_connection's`,
      ),
    );
  });
});
