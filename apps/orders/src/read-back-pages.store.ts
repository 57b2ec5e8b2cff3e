import type { Pool } from 'pg';
import type { SynchronizedResources } from '@prov/connectors';
import { inTransaction } from '@prov/read-models';
import type { ReadBackView } from './read-back-view';

/**
 * The pages of a read-back too large for one NATS message (ADR 0025), kept in PostgreSQL until
 * the report that names them arrives: pages and report may reach different `orders` replicas
 * (queue group), so memory would not do. A page sent twice (an agent retrying) is stored once;
 * the pages are removed once their report is recorded, and any left behind by an agent that
 * died mid-way are removed after a day. The report's comparison reads them as rows keyed by
 * account, a slice at a time (ADR 0063).
 */
export class ReadBackPagesStore {
  private ready?: Promise<void>;

  constructor(private readonly pool: Pool) {}

  async put(
    connectionId: string,
    synchronizationId: string,
    page: number,
    content: SynchronizedResources,
  ): Promise<void> {
    await this.schema();
    await this.pool.query(
      `INSERT INTO sync_staging.read_back_pages (synchronization_id, page, connection_id, content)
       VALUES ($1, $2, $3, $4) ON CONFLICT (synchronization_id, page) DO NOTHING`,
      [synchronizationId, page, connectionId, JSON.stringify(content)],
    );
  }

  /**
   * The read-back of `pages` pages, for the comparison to read a slice at a time (ADR 0063):
   * every page's accounts and memberships become rows keyed by account, by the server, so the
   * service never holds the read-back (at a million assignments a connection reads back 125,000
   * accounts: held twice, parsed and concatenated, that was 100 MB and more of the heap). Throws
   * naming the missing pages when some did not arrive, and when pages belong to another
   * connection than the report's. The pages stay until `remove`, so a report recorded again
   * after a failure finds them.
   */
  async stage(connectionId: string, synchronizationId: string, pages: number): Promise<StoredReadBack> {
    await this.schema();
    const { rows } = await this.pool.query<{ page: number; connection_id: string }>(
      `SELECT page, connection_id FROM sync_staging.read_back_pages
        WHERE synchronization_id = $1 ORDER BY page`,
      [synchronizationId],
    );
    const present = new Set(rows.map((r) => r.page));
    const missing = Array.from({ length: pages }, (_, i) => i).filter((i) => !present.has(i));
    if (missing.length > 0) {
      throw new MissingReadBackPagesError(
        `pages ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} of ${pages} of synchronization ${synchronizationId} did not arrive`,
      );
    }
    if (rows.some((r) => r.connection_id !== connectionId)) {
      throw new MissingReadBackPagesError(
        `synchronization ${synchronizationId}'s pages belong to another connection than '${connectionId}'`,
      );
    }
    // A report recorded again after a failure stages afresh, in one transaction: a comparison of
    // the same read-back still running meanwhile reads the old rows or the new, never none.
    const staged = await inTransaction(this.pool, async (client) => {
      await client.query(`DELETE FROM sync_staging.read_back_items WHERE synchronization_id = $1`, [
        synchronizationId,
      ]);
      const { rows: counts } = await client.query<{ kind: 'a' | 'm'; n: number }>(
        `WITH staged AS (
           INSERT INTO sync_staging.read_back_items (synchronization_id, kind, page, item, account_key, content)
           SELECT p.synchronization_id, k.kind, p.page, i.n, i.value->>'accountKey', i.value
             FROM sync_staging.read_back_pages p
            CROSS JOIN (VALUES ('a', 'accounts'), ('m', 'memberships')) k(kind, field)
            CROSS JOIN LATERAL jsonb_array_elements(p.content -> k.field) WITH ORDINALITY i(value, n)
            WHERE p.synchronization_id = $1 AND p.page < $2
           RETURNING kind)
         SELECT kind, count(*)::int AS n FROM staged GROUP BY kind`,
        [synchronizationId, pages],
      );
      return counts;
    });
    const count = (kind: 'a' | 'm') => staged.find((r) => r.kind === kind)?.n ?? 0;
    return new StoredReadBack(this.pool, synchronizationId, pages, count('a'), count('m'));
  }

  /**
   * Removes a recorded read-back, and what an agent or a service that died mid-way left for a
   * day. Pages and rows go together, the pages first: a recording that holds the pages
   * (`StoredReadBack.whileStaged`) is waited for, and one that has not yet taken them finds
   * them gone rather than a comparison that read half the rows.
   */
  async remove(synchronizationId: string): Promise<void> {
    await this.schema();
    await inTransaction(this.pool, async (client) => {
      const { rows: gone } = await client.query<{ synchronization_id: string }>(
        `DELETE FROM sync_staging.read_back_pages WHERE synchronization_id = $1 OR received_at < now() - interval '1 day'
         RETURNING synchronization_id`,
        [synchronizationId],
      );
      const ids = [...new Set([synchronizationId, ...gone.map((r) => r.synchronization_id)])];
      await client.query(
        `DELETE FROM sync_staging.read_back_items WHERE synchronization_id = ANY($1::uuid[])`,
        [ids],
      );
    });
  }

  private schema(): Promise<void> {
    this.ready ??= this.pool
      .query(
        `CREATE SCHEMA IF NOT EXISTS sync_staging;
         CREATE TABLE IF NOT EXISTS sync_staging.read_back_pages (
           synchronization_id uuid NOT NULL,
           page integer NOT NULL,
           connection_id text NOT NULL,
           content jsonb NOT NULL,
           received_at timestamptz NOT NULL DEFAULT now(),
           PRIMARY KEY (synchronization_id, page));
         -- The pages' accounts (kind a) and memberships (m), one row each, found by account.
         CREATE TABLE IF NOT EXISTS sync_staging.read_back_items (
           synchronization_id uuid NOT NULL,
           kind "char" NOT NULL,
           page integer NOT NULL,
           item bigint NOT NULL,
           account_key text NOT NULL,
           content jsonb NOT NULL,
           PRIMARY KEY (synchronization_id, kind, page, item));
         CREATE INDEX IF NOT EXISTS read_back_items_account
           ON sync_staging.read_back_items (synchronization_id, account_key)`,
      )
      .then(() => undefined)
      .catch((error: unknown) => {
        this.ready = undefined;
        throw error;
      });
    return this.ready;
  }
}

export class MissingReadBackPagesError extends Error {
  override readonly name = 'MissingReadBackPagesError';
}

/** Rows of the read-back one slice reads: the comparison holds at most this many accounts and memberships. */
export const READ_BACK_SLICE_ROWS = 1_000;

/** A staged read-back (ReadBackPagesStore.stage), read a slice at a time. */
export class StoredReadBack implements ReadBackView {
  constructor(
    private readonly pool: Pool,
    private readonly synchronizationId: string,
    private readonly pageCount: number,
    readonly accounts: number,
    readonly memberships: number,
  ) {}

  /**
   * Runs `record` only while every page is still there, holding them (a share lock, in a
   * transaction of its own) until `record` ends, so that nobody removes them in between: a
   * replica that recorded the same report meanwhile, or the clean-up of day-old pages. Throws
   * when they went while the read-back was compared: the comparison then read nothing where the
   * target has something, and would record it all as missing and restore it.
   */
  async whileStaged<T>(record: () => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ pages: number }>(
        `SELECT count(*)::int AS pages FROM (
           SELECT 1 FROM sync_staging.read_back_pages
            WHERE synchronization_id = $1 AND page < $2 FOR SHARE) held`,
        [this.synchronizationId, this.pageCount],
      );
      if (rows[0].pages < this.pageCount)
        throw new MissingReadBackPagesError(
          `the pages of synchronization ${this.synchronizationId} were removed while it was compared (recorded meanwhile, or older than a day)`,
        );
      return record();
    });
  }

  async resourcesOf(accountKeys: readonly string[]): Promise<SynchronizedResources> {
    const { rows } = await this.pool.query<{ kind: 'a' | 'm'; content: never }>(
      `SELECT kind, content FROM sync_staging.read_back_items
        WHERE synchronization_id = $1 AND account_key = ANY($2::text[]) ORDER BY kind, page, item`,
      [this.synchronizationId, accountKeys],
    );
    return resourcesFrom(rows);
  }

  async *pages(): AsyncGenerator<SynchronizedResources> {
    let after: [string, number, number] = ['', -1, 0];
    for (;;) {
      const { rows } = await this.pool.query<{ kind: 'a' | 'm'; page: number; item: string; content: never }>(
        `SELECT kind, page, item, content FROM sync_staging.read_back_items
          WHERE synchronization_id = $1 AND (kind, page, item) > ($2::"char", $3::int, $4::bigint)
          ORDER BY kind, page, item LIMIT ${READ_BACK_SLICE_ROWS}`,
        [this.synchronizationId, ...after],
      );
      if (rows.length > 0) yield resourcesFrom(rows);
      if (rows.length < READ_BACK_SLICE_ROWS) return;
      const last = rows[rows.length - 1];
      after = [last.kind, last.page, Number(last.item)];
    }
  }
}

function resourcesFrom(rows: ReadonlyArray<{ kind: 'a' | 'm'; content: never }>): SynchronizedResources {
  const resources: SynchronizedResources = { accounts: [], memberships: [] };
  for (const row of rows) (row.kind === 'a' ? resources.accounts : resources.memberships).push(row.content);
  return resources;
}
