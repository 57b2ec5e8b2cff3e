import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool, PoolClient } from 'pg';
import type { EventStore } from '@prov/event-store';
import { Projector } from './projector';
import { LIVE_SCHEMA } from './schema';
import { inTransaction } from './transaction';

export const REBUILD_SCHEMA = 'rm_rebuild';
const RETIRED_SCHEMA = 'rm_retired';
/** How often a replay records the events its bulk load applied so far. */
const PROGRESS_MS = 1_000;

export interface ReplayStatus {
  replayId: string;
  status: 'Running' | 'Completed' | 'Failed';
  phase: 'catching-up' | 'swapping' | 'done';
  eventsHandled: number;
  startedAt: string;
  endedAt?: string;
  error?: string;
}

export const REPLAY_STATUS_DDL = `
CREATE SCHEMA IF NOT EXISTS rm_admin;
CREATE TABLE IF NOT EXISTS rm_admin.replays (
  replay_id text PRIMARY KEY,
  status text NOT NULL,
  phase text NOT NULL,
  events_handled bigint NOT NULL DEFAULT 0,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  error text
);`;

/**
 * `IF NOT EXISTS` does not make concurrent creation safe: two sessions creating the schema at
 * once collide on the catalog's unique index ("duplicate key value violates unique constraint
 * pg_namespace_nspname_index"), which failed a replay started beside a status read. Creators
 * take turns on a transaction lock.
 */
async function createReplayTable(pool: Pool): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('rm_admin.replays'))`);
    await client.query(REPLAY_STATUS_DDL);
  });
}

export interface ReplayRunOptions {
  lost?: Promise<void>;
  swapGuard?: (client: PoolClient) => Promise<void>;
}

export interface LiveProjectorControl {
  /** Stops the live projector and resolves once it has stopped. */
  pause(): Promise<void>;
  resume(): void;
}

/**
 * Audit replay: rebuilds every read model from position zero into a shadow schema while the
 * live one keeps serving, then pauses the live projector, lets the shadow reach the very same
 * checkpoint, and swaps the schemas in one transaction. Readers see either the old or the new
 * read models, never a half-built one.
 */
export class ReadModelRebuild {
  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly live: LiveProjectorControl,
  ) {}

  static async status(pool: Pool, replayId?: string): Promise<ReplayStatus | undefined> {
    // A read creates nothing: a status asked while a replay creates the table would otherwise
    // race its DDL (and fail it: see createReplayTable).
    const { rows: table } = await pool.query<{ name: string | null }>(
      `SELECT to_regclass('rm_admin.replays') AS name`,
    );
    if (!table[0].name) return undefined;
    const { rows } = await pool.query(
      replayId
        ? 'SELECT * FROM rm_admin.replays WHERE replay_id = $1'
        : 'SELECT * FROM rm_admin.replays ORDER BY started_at DESC LIMIT 1',
      replayId ? [replayId] : [],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      replayId: row.replay_id,
      status: row.status,
      phase: row.phase,
      eventsHandled: Number(row.events_handled),
      startedAt: new Date(row.started_at).toISOString(),
      ...(row.ended_at ? { endedAt: new Date(row.ended_at).toISOString() } : {}),
      ...(row.error ? { error: row.error } : {}),
    };
  }

  /**
   * Marks Failed, with `reason`, every replay still recorded as Running. Only for a caller that
   * knows no copy runs one (it holds the replay lock shared in the transaction of `client`).
   */
  static async failAbandoned(client: PoolClient, reason: string): Promise<void> {
    const { rows } = await client.query<{ table: string | null }>(
      `SELECT to_regclass('rm_admin.replays') AS table`,
    );
    if (!rows[0].table) return;
    await client.query(
      `UPDATE rm_admin.replays SET status = 'Failed', error = $1, ended_at = now() WHERE status = 'Running'`,
      [reason],
    );
  }

  /**
   * Runs the replay. `lost` resolves when the caller's hold on the replay lock breaks: another
   * copy then projects live again, so this replay must not swap and ends Failed. `swapGuard` is
   * asked inside the swap's transaction and throws to refuse it (the lock found free there).
   */
  async run(replayId: string, options: ReplayRunOptions = {}): Promise<void> {
    let lockLost = false;
    void options.lost?.then(() => (lockLost = true));
    const stillHeld = () => {
      if (lockLost)
        throw new Error(
          'the replay lost its lock (its database session ended); live projection resumed elsewhere',
        );
    };
    await createReplayTable(this.pool);
    await this.pool.query(
      `INSERT INTO rm_admin.replays (replay_id, status, phase, started_at) VALUES ($1, 'Running', 'catching-up', now())`,
      [replayId],
    );
    const shadow = new Projector(this.pool, this.store, { schema: REBUILD_SCHEMA });
    let paused = false;
    let shadowEnded: Error | undefined;
    try {
      await this.pool.query(`DROP SCHEMA IF EXISTS ${REBUILD_SCHEMA} CASCADE`);
      // Bulk replay in large pages first; the subscription then follows from its checkpoint.
      stillHeld();
      await this.reportingProgress(replayId, shadow, () => shadow.replayToEnd()).catch((error: unknown) => {
        throw new Error(`the shadow build failed: ${String((error as Error)?.message ?? error)}`);
      });
      stillHeld();
      await shadow.start();
      // A shadow that dies (a poisoned event, its connection killed) would never catch up:
      // without this the replay waited forever, with the live projector paused in the swap phase.
      shadow.done().then(
        () => (shadowEnded ??= new Error('the shadow build stopped before it caught up')),
        (error) =>
          (shadowEnded = new Error(`the shadow build failed: ${String((error as Error)?.message ?? error)}`)),
      );
      await this.catchUp(shadow, replayId, () => shadowEnded, stillHeld);
      await this.setPhase(replayId, 'swapping', shadow.eventsHandled);
      await this.live.pause();
      paused = true;
      await this.catchUp(shadow, replayId, () => shadowEnded, stillHeld);
      await shadow.stop();
      stillHeld();
      await this.swap(options.swapGuard);
      await this.pool.query(
        `UPDATE rm_admin.replays SET status = 'Completed', phase = 'done', events_handled = $2, ended_at = now() WHERE replay_id = $1`,
        [replayId, shadow.eventsHandled],
      );
    } catch (error) {
      await shadow.stop().catch(() => undefined);
      await this.pool.query(
        `UPDATE rm_admin.replays SET status = 'Failed', error = $2, ended_at = now() WHERE replay_id = $1`,
        [replayId, String((error as Error).message ?? error)],
      );
      throw error;
    } finally {
      if (paused) this.live.resume();
    }
  }

  /**
   * The bulk load is most of a replay: its events applied so far are recorded every second, so
   * the status shows progress before the catch-up. The last write is awaited before the next
   * phase's, so that it cannot land after it.
   */
  private async reportingProgress(
    replayId: string,
    shadow: Projector,
    run: () => Promise<void>,
  ): Promise<void> {
    let writing: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      writing = writing
        .then(() => this.setPhase(replayId, 'catching-up', shadow.eventsHandled))
        .catch(() => undefined);
    }, PROGRESS_MS);
    try {
      await run();
    } finally {
      clearInterval(timer);
      await writing;
    }
  }

  /** Waits until the shadow's checkpoint has reached the live one (as it is at each look). */
  private async catchUp(
    shadow: Projector,
    replayId: string,
    ended: () => Error | undefined,
    stillHeld: () => void,
  ): Promise<void> {
    for (let i = 0; ; i++) {
      stillHeld();
      const failure = ended();
      if (failure) throw failure;
      const live = await this.checkpointOf(LIVE_SCHEMA);
      const mine = await shadow.checkpoint();
      if (live === undefined || (mine !== undefined && mine >= live)) return;
      if (i % 20 === 0) await this.setPhase(replayId, 'catching-up', shadow.eventsHandled);
      await sleep(50);
    }
  }

  private async checkpointOf(schema: string): Promise<string | undefined> {
    const { rows } = await this.pool
      .query<{ position: string }>(
        `SELECT position FROM ${schema}.checkpoints WHERE projection = 'read-models'`,
      )
      .catch(() => ({ rows: [] as { position: string }[] }));
    return rows[0]?.position;
  }

  private async swap(guard?: (client: PoolClient) => Promise<void>): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await guard?.(client);
      await client.query(`DROP SCHEMA IF EXISTS ${RETIRED_SCHEMA} CASCADE`);
      await client.query(`ALTER SCHEMA ${LIVE_SCHEMA} RENAME TO ${RETIRED_SCHEMA}`);
      await client.query(`ALTER SCHEMA ${REBUILD_SCHEMA} RENAME TO ${LIVE_SCHEMA}`);
      await client.query(`DROP SCHEMA ${RETIRED_SCHEMA} CASCADE`);
    });
  }

  private async setPhase(
    replayId: string,
    phase: ReplayStatus['phase'],
    eventsHandled: number,
  ): Promise<void> {
    await this.pool.query(
      'UPDATE rm_admin.replays SET phase = $2, events_handled = $3 WHERE replay_id = $1',
      [replayId, phase, eventsHandled],
    );
  }
}
