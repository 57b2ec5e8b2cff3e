/**
 * Checkpoints in `es.checkpoints`. Positions are stored as opaque text, so the table also serves
 * consumers of the EventStoreDB adapter whose read models live in PostgreSQL.
 *
 * Projections should not use {@link PostgresCheckpointStore.store} but
 * {@link storeCheckpointInTransaction}, inside the transaction that updates their read model:
 * then the read model and its checkpoint can never disagree after a crash, and the
 * compare-and-set detects a second instance that processed the same events.
 */
import type { ClientBase, Pool } from 'pg';
import { type CheckpointStore, EventStoreClosedError, EventValidationError, type Position } from '../core';
import { type PostgresConnectionOptions, resolvePool } from './pool';
import { migrateEventStoreSchema } from './schema/migrate';

/** Anything that can run a query: a pool, or a client inside a caller's transaction. */
type Queryable = Pick<ClientBase, 'query'> | Pool;

export type CheckpointWriteResult =
  /** The checkpoint moved from `expected` to the new position. */
  | { status: 'stored' }
  /** It already was at the new position: this batch was handled before (e.g. redelivery). */
  | { status: 'unchanged' }
  /** It is somewhere else: another instance moved it. Roll back the transaction. */
  | { status: 'conflict'; current: Position | undefined };

function checkSubscriptionId(subscriptionId: string): void {
  if (typeof subscriptionId !== 'string' || subscriptionId.length === 0) {
    throw new EventValidationError('subscriptionId', 'must be a non-empty string');
  }
}

export async function loadCheckpoint(db: Queryable, subscriptionId: string): Promise<Position | undefined> {
  checkSubscriptionId(subscriptionId);
  const { rows } = await db.query<{ position: string }>(
    'SELECT position FROM es.checkpoints WHERE subscription_id = $1',
    [subscriptionId],
  );
  return rows[0]?.position as Position | undefined;
}

/**
 * Moves a checkpoint from `expected` (undefined: none stored yet) to `position`, within the
 * caller's open transaction on `client`. The row stays locked until that transaction ends, so
 * two instances cannot both succeed.
 */
export async function storeCheckpointInTransaction(
  client: Pick<ClientBase, 'query'>,
  subscriptionId: string,
  change: { expected: Position | undefined; position: Position },
): Promise<CheckpointWriteResult> {
  checkSubscriptionId(subscriptionId);
  const { rows } = await client.query<{ position: string }>(
    'SELECT position FROM es.checkpoints WHERE subscription_id = $1 FOR UPDATE',
    [subscriptionId],
  );
  const current = rows[0]?.position as Position | undefined;
  if (current === change.position) return { status: 'unchanged' };
  if (current !== change.expected) return { status: 'conflict', current };
  if (current === undefined) {
    // No row to lock yet: a racing first insert shows up as "nothing inserted".
    const inserted = await client.query(
      `INSERT INTO es.checkpoints (subscription_id, position) VALUES ($1, $2)
       ON CONFLICT (subscription_id) DO NOTHING`,
      [subscriptionId, change.position],
    );
    if (inserted.rowCount === 1) return { status: 'stored' };
    const now = await loadCheckpoint(client, subscriptionId);
    return now === change.position ? { status: 'unchanged' } : { status: 'conflict', current: now };
  }
  await client.query(
    'UPDATE es.checkpoints SET position = $2, updated_at = now() WHERE subscription_id = $1',
    [subscriptionId, change.position],
  );
  return { status: 'stored' };
}

export class PostgresCheckpointStore implements CheckpointStore {
  readonly pool: Pool;
  private readonly endPool: () => Promise<void>;
  private migrated: Promise<unknown> | undefined;
  private closed = false;

  constructor(options: PostgresConnectionOptions) {
    ({ pool: this.pool, end: this.endPool } = resolvePool(options));
  }

  static async connect(urlOrOptions: string | PostgresConnectionOptions): Promise<PostgresCheckpointStore> {
    const store = new PostgresCheckpointStore(
      typeof urlOrOptions === 'string' ? { connectionString: urlOrOptions } : urlOrOptions,
    );
    await store.ready().catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    return store;
  }

  /** The checkpoint table belongs to the `es` schema, which is migrated on first use. */
  private ready(): Promise<unknown> {
    if (this.closed) return Promise.reject(new EventStoreClosedError('checkpoint store'));
    this.migrated ??= migrateEventStoreSchema(this.pool).catch((error: unknown) => {
      this.migrated = undefined;
      throw error;
    });
    return this.migrated;
  }

  async load(subscriptionId: string): Promise<Position | undefined> {
    await this.ready();
    return loadCheckpoint(this.pool, subscriptionId);
  }

  /** Unconditional upsert: the last writer wins (see the compare-and-set variant above). */
  async store(subscriptionId: string, position: Position): Promise<void> {
    checkSubscriptionId(subscriptionId);
    await this.ready();
    await this.pool.query(
      `INSERT INTO es.checkpoints (subscription_id, position) VALUES ($1, $2)
       ON CONFLICT (subscription_id) DO UPDATE SET position = excluded.position, updated_at = now()`,
      [subscriptionId, position],
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.migrated?.catch(() => undefined);
    await this.endPool();
  }
}
