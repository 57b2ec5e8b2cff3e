import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { ADVISORY_LOCK_CLASS, awaitLeadership, tryAdvisoryLock, withAdvisoryLock } from './leadership';

async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  );
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Two copies of a service are two pools: a lock one holds, the other cannot take. */
describe('advisory-lock leadership (PostgreSQL)', () => {
  let db: TestDatabase;
  let first: Pool;
  let second: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('leadership');
    first = new Pool({ connectionString: db.url, application_name: 'copy-1' });
    second = new Pool({ connectionString: db.url, application_name: 'copy-2' });
    // A terminated lock holder surfaces as a client error; the pool must not end the test on it.
    first.on('error', () => undefined);
    first.on('connect', (client) => client.on('error', () => undefined));
  });

  afterAll(async () => {
    await first.end();
    await second.end();
    await db.drop();
  });

  it('lets one copy lead; the standby takes over soon after the leader releases', async () => {
    const leader = await tryAdvisoryLock(first, 'test:release');
    expect(leader).toBeDefined();
    expect(await tryAdvisoryLock(second, 'test:release')).toBeUndefined();
    let stopped = false;
    const standby = awaitLeadership(second, 'test:release', () => stopped, { standbyPollMs: 50 });
    await leader!.release();
    const next = await within(5000, standby, 'the takeover');
    expect(next).toBeDefined();
    expect(await tryAdvisoryLock(first, 'test:release')).toBeUndefined();
    await next!.release();
    stopped = true;
  });

  it('hands the lock over when the leader dies: its connection ends and it learns it lost', async () => {
    const leader = await tryAdvisoryLock(first, 'test:crash');
    expect(leader).toBeDefined();
    let stopped = false;
    const standby = awaitLeadership(second, 'test:crash', () => stopped, { standbyPollMs: 50 });
    // What PostgreSQL sees of a copy killed with -9: its session goes away.
    await second.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'copy-1' AND datname = current_database()`,
    );
    await within(5000, leader!.lost, 'the old leader to learn it lost the lock');
    const next = await within(5000, standby, 'the takeover');
    expect(next).toBeDefined();
    await leader!.release(); // harmless on a broken connection
    await next!.release();
    stopped = true;
  });

  it('runs locked work on one copy at a time and stands by when stopped', async () => {
    let inside = 0;
    let most = 0;
    // The copy that gets the lock keeps it until the other copy has tried and given up, so the
    // test does not depend on which one the machine schedules first or how fast.
    let otherTried!: () => void;
    const tried = new Promise<void>((resolve) => (otherTried = resolve));
    const work = async () => {
      most = Math.max(most, ++inside);
      await tried;
      inside--;
      return 'done';
    };
    const attempts = [
      withAdvisoryLock(first, 'test:work', work),
      withAdvisoryLock(second, 'test:work', work),
    ];
    void Promise.race(attempts).then(() => otherTried());
    const results = await within(10_000, Promise.all(attempts), 'both copies to answer');
    expect(most).toBe(1);
    expect(results.filter((r) => r === 'done')).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(1);

    const held = await tryAdvisoryLock(first, 'test:stop');
    let stopped = false;
    const standby = awaitLeadership(second, 'test:stop', () => stopped, { standbyPollMs: 50 });
    stopped = true;
    expect(await within(5000, standby, 'the standby to give up')).toBeUndefined();
    await held!.release();
  });

  it('keeps a lock per id apart from the singletons: a singleton held on the same hash refuses nothing', async () => {
    const { synchronizationClaim } = ADVISORY_LOCK_CLASS;
    // The same name hashes alike in both forms: one key (a singleton's) and (class, key).
    const singleton = await tryAdvisoryLock(first, 'test:collide');
    expect(singleton).toBeDefined();

    const perId = await tryAdvisoryLock(second, 'test:collide', synchronizationClaim);
    expect(perId).toBeDefined();
    expect(await tryAdvisoryLock(first, 'test:collide', synchronizationClaim)).toBeUndefined();
    await perId!.release();
    const again = await tryAdvisoryLock(first, 'test:collide', synchronizationClaim);
    expect(again).toBeDefined();

    await again!.release();
    await singleton!.release();
  });
});
