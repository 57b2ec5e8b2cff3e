import type { Pool } from 'pg';
import type { SynchronizedResources } from '@prov/connectors';

/**
 * The pages of a read-back too large for one NATS message (ADR 0025), kept in PostgreSQL until
 * the report that names them arrives: pages and report may reach different `orders` replicas
 * (queue group), so memory would not do. A page sent twice (an agent retrying) is stored once;
 * the pages are removed when the report has taken them, and any left behind by an agent that
 * died mid-way are removed after a day.
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
   * The read-back of `pages` pages, concatenated in page order, and removed from the store.
   * Throws naming the missing pages when some did not arrive, and when pages belong to another
   * connection than the report's. The pages are read one at a time (ADR 0056): at 100,000
   * accounts the read-back is tens of megabytes, and all pages' rows parsed at once besides the
   * read-back they are concatenated into held it twice.
   */
  async take(connectionId: string, synchronizationId: string, pages: number): Promise<SynchronizedResources> {
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
    const resources: SynchronizedResources = { accounts: [], memberships: [] };
    for (let page = 0; page < pages; page++) {
      const { rows: one } = await this.pool.query<{ content: SynchronizedResources }>(
        `SELECT content FROM sync_staging.read_back_pages WHERE synchronization_id = $1 AND page = $2`,
        [synchronizationId, page],
      );
      for (const account of one[0].content.accounts) resources.accounts.push(account);
      for (const membership of one[0].content.memberships) resources.memberships.push(membership);
    }
    await this.pool.query(
      `DELETE FROM sync_staging.read_back_pages WHERE synchronization_id = $1 OR received_at < now() - interval '1 day'`,
      [synchronizationId],
    );
    return resources;
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
           PRIMARY KEY (synchronization_id, page))`,
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
