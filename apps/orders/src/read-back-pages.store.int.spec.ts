import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { SynchronizedResources } from '@prov/connectors';
import { createTestDatabase, type TestDatabase, waitFor } from '@prov/testing';
import { MissingReadBackPagesError, READ_BACK_SLICE_ROWS, ReadBackPagesStore } from './read-back-pages.store';

jest.setTimeout(120_000);

/**
 * A read-back in pages (ADR 0025) as the synchronization reads it (ADR 0063): staged as rows by
 * the server, then read a slice at a time or by account, never handed over whole.
 */
const PAGES = 4;
const PER_PAGE = 400;

function page(n: number): SynchronizedResources {
  const keys = Array.from({ length: PER_PAGE }, (_, i) => `user${n * PER_PAGE + i}`);
  return {
    accounts: keys.map((accountKey) => ({ accountKey, attributes: { mail: `${accountKey}@example.org` } })),
    memberships: keys.map((accountKey) => ({ accountKey, group: n % 2 ? 'odd' : 'even' })),
  };
}

describe('ReadBackPagesStore', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: ReadBackPagesStore;

  beforeAll(async () => {
    db = await createTestDatabase('readback');
    pool = new Pool({ connectionString: db.url });
    store = new ReadBackPagesStore(pool);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  async function putAll(synchronizationId: string, connectionId = 'dir') {
    for (let n = PAGES - 1; n >= 0; n--) await store.put(connectionId, synchronizationId, n, page(n));
  }

  it('reads a staged read-back in slices no larger than READ_BACK_SLICE_ROWS, in the order read', async () => {
    const id = randomUUID();
    await putAll(id);
    const readBack = await store.stage('dir', id, PAGES);
    expect(readBack.accounts).toBe(PAGES * PER_PAGE);
    expect(readBack.memberships).toBe(PAGES * PER_PAGE);

    const whole: SynchronizedResources = { accounts: [], memberships: [] };
    let slices = 0;
    for await (const slice of readBack.pages()) {
      slices++;
      expect(slice.accounts.length + slice.memberships.length).toBeLessThanOrEqual(READ_BACK_SLICE_ROWS);
      whole.accounts.push(...slice.accounts);
      whole.memberships.push(...slice.memberships);
    }
    const pages = Array.from({ length: PAGES }, (_, n) => page(n));
    expect(slices).toBeGreaterThan(1);
    expect(whole).toEqual({
      accounts: pages.flatMap((p) => p.accounts),
      memberships: pages.flatMap((p) => p.memberships),
    });
  });

  it('gives the accounts asked for and their memberships only', async () => {
    const id = randomUUID();
    await putAll(id);
    const readBack = await store.stage('dir', id, PAGES);
    const some = await readBack.resourcesOf(['user1', 'user401', 'nobody']);
    expect(some.accounts.map((a) => a.accountKey)).toEqual(['user1', 'user401']);
    expect(some.memberships).toEqual([
      { accountKey: 'user1', group: 'even' },
      { accountKey: 'user401', group: 'odd' },
    ]);
  });

  it('stages again for a report recorded again, and removes both pages and rows once recorded', async () => {
    const id = randomUUID();
    await putAll(id);
    await store.stage('dir', id, PAGES);
    const again = await store.stage('dir', id, PAGES);
    expect(again.accounts).toBe(PAGES * PER_PAGE);
    await store.remove(id);
    const left = await pool.query(
      `SELECT (SELECT count(*) FROM sync_staging.read_back_pages WHERE synchronization_id = $1)::int AS pages,
              (SELECT count(*) FROM sync_staging.read_back_items WHERE synchronization_id = $1)::int AS items`,
      [id],
    );
    expect(left.rows[0]).toEqual({ pages: 0, items: 0 });
    await expect(store.stage('dir', id, PAGES)).rejects.toThrow(MissingReadBackPagesError);
  });

  it('names missing pages, and refuses pages of another connection', async () => {
    const id = randomUUID();
    await store.put('dir', id, 0, page(0));
    await expect(store.stage('dir', id, 3)).rejects.toThrow('pages 1, 2 of 3');
    await expect(store.stage('other', id, 1)).rejects.toThrow('another connection');
  });

  it('given the pages removed while the read-back was compared, then it records nothing and says so', async () => {
    const id = randomUUID();
    await putAll(id);
    const readBack = await store.stage('dir', id, PAGES);

    await store.remove(id); // another replica recorded the same report meanwhile

    const record = jest.fn(() => Promise.resolve('recorded'));
    await expect(readBack.whileStaged(record)).rejects.toThrow(/removed while it was compared/);
    await expect(readBack.whileStaged(record)).rejects.toThrow(MissingReadBackPagesError);
    expect(record).not.toHaveBeenCalled();
  });

  it('given a recording under way, then a replica removing the same read-back waits until it ends', async () => {
    const id = randomUUID();
    await putAll(id);
    const readBack = await store.stage('dir', id, PAGES);
    const left = async () =>
      (
        await pool.query<{ pages: number; items: number }>(
          `SELECT (SELECT count(*) FROM sync_staging.read_back_pages WHERE synchronization_id = $1)::int AS pages,
                  (SELECT count(*) FROM sync_staging.read_back_items WHERE synchronization_id = $1)::int AS items`,
          [id],
        )
      ).rows[0];

    const { removing, whileRecording } = await readBack.whileStaged(async () => {
      // Between the check and the append: the other replica's remove starts and must wait.
      const removing = store.remove(id);
      await waitFor(
        async () =>
          (
            await pool.query(
              `SELECT 1 FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%read_back_pages%'`,
            )
          ).rowCount,
        { until: (waiting) => waiting === 1, description: 'the remove to wait for the recording' },
      );
      return { removing, whileRecording: await left() };
    });
    await removing;

    expect(whileRecording).toEqual({ pages: PAGES, items: 2 * PAGES * PER_PAGE });
    expect(await left()).toEqual({ pages: 0, items: 0 });
  });
});
