import type { Pool, PoolClient } from 'pg';
import type { EventStore, Position, RecordedEvent, Subscription } from '@prov/event-store';
import { assignmentProjection } from './projections/assignment.projection';
import { identityProjection } from './projections/identity.projection';
import { jobProjection } from './projections/job.projection';
import type { Projection } from './projections/projection';
import { synchronizationProjection } from './projections/synchronization.projection';
import { assertSchemaName, ensureReadModelSchema, LIVE_SCHEMA } from './schema';

export const ALL_PROJECTIONS: readonly Projection[] = [
  identityProjection,
  assignmentProjection,
  jobProjection,
  synchronizationProjection,
];

/** Channel on which the projector announces committed read-model changes (for live views). */
export const READ_MODEL_CHANNEL = 'prov_read_model_changed';

export interface ProjectorLogger {
  log(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface ProjectorOptions {
  schema?: string;
  checkpointName?: string;
  projections?: readonly Projection[];
  logger?: ProjectorLogger;
}

/**
 * Applies the log to the read models, one transaction per event holding the rows and the
 * checkpoint together: after a crash the projector resumes exactly after the last event whose
 * rows were committed.
 */
export class Projector {
  private readonly schema: string;
  private readonly checkpointName: string;
  private readonly projections: readonly Projection[];
  private readonly byPrefix: Array<[string, Projection]>;
  private subscription?: Subscription;
  private running?: Promise<void>;
  private handled = 0;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly options: ProjectorOptions = {},
  ) {
    this.schema = assertSchemaName(options.schema ?? LIVE_SCHEMA);
    this.checkpointName = options.checkpointName ?? 'read-models';
    this.projections = options.projections ?? ALL_PROJECTIONS;
    this.byPrefix = this.projections.flatMap((p) => p.streamPrefixes.map((prefix) => [prefix, p] as [string, Projection]));
  }

  get eventsHandled(): number {
    return this.handled;
  }

  async checkpoint(client: Pool | PoolClient = this.pool): Promise<Position | undefined> {
    const { rows } = await client.query<{ position: string }>(
      `SELECT position FROM ${this.schema}.checkpoints WHERE projection = $1`,
      [this.checkpointName],
    );
    return rows[0]?.position as Position | undefined;
  }

  /** Follows the log until `stop()`. Resolves once the subscription is running. */
  async start(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await ensureReadModelSchema(client, this.schema);
    } finally {
      client.release();
    }
    const after = await this.checkpoint();
    this.subscription = this.store.subscribeToAll({
      after,
      filter: { streamNamePrefixes: this.byPrefix.map(([prefix]) => prefix) },
      onCheckpoint: (position) => this.storeCheckpointOnly(position),
    });
    const subscription = this.subscription;
    this.running = (async () => {
      for await (const event of subscription) await this.handle(event);
    })().catch((error) => {
      this.options.logger?.error('projector stopped on an error', { error: String(error) });
      throw error;
    });
  }

  /** Resolves when the subscription ends; rejects if it failed. */
  async done(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    await this.running?.catch(() => undefined);
  }

  /** Applies one event and the checkpoint in one transaction. */
  async handle(event: RecordedEvent): Promise<void> {
    const projection = this.byPrefix.find(([prefix]) => event.streamName.startsWith(prefix))?.[1];
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (projection) await projection.apply(client, this.schema, event);
      await this.writeCheckpoint(client, event.position);
      await client.query('SELECT pg_notify($1, $2)', [
        READ_MODEL_CHANNEL,
        JSON.stringify({ schema: this.schema, streamName: event.streamName, type: event.type }),
      ]);
      await client.query('COMMIT');
      this.handled++;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async storeCheckpointOnly(position: Position): Promise<void> {
    await this.writeCheckpoint(this.pool, position);
  }

  private async writeCheckpoint(client: Pool | PoolClient, position: Position): Promise<void> {
    await client.query(
      `INSERT INTO ${this.schema}.checkpoints (projection, position, events_handled, updated_at)
       VALUES ($1, $2, 1, now())
       ON CONFLICT (projection) DO UPDATE SET position = EXCLUDED.position,
         events_handled = ${this.schema}.checkpoints.events_handled + 1, updated_at = now()
       WHERE ${this.schema}.checkpoints.position COLLATE "C" < EXCLUDED.position COLLATE "C"`,
      [this.checkpointName, position],
    );
  }
}
