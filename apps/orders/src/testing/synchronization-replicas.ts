import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { commandMetadata } from '@prov/command-handling';
import { assignmentStreamName, type AssignmentCommand } from '@prov/domain';
import { PostgresEventStore } from '@prov/event-store';
import { ALL_PROJECTIONS, ensureReadModelSchema, LIVE_SCHEMA } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { AssignmentCommands } from '../assignment-commands';
import { SynchronizationService } from '../synchronization.service';

/** A replica of `orders` as synchronization sees it: its own pool, store and service. */
export interface Replica {
  pool: Pool;
  store: PostgresEventStore;
  synchronization: SynchronizationService;
}

/** Connections restore drift: a second recording would show as a second set of restore orders. */
const restoring = { connection: () => ({ onDrift: 'restore' }) } as unknown as RoleModel;

/** Two replicas of `orders` sharing one database, as a queue group runs them. */
export async function startReplicas(): Promise<{ db: TestDatabase; replicas: [Replica, Replica] }> {
  const db = await createTestDatabase('synconce');
  const start = async (): Promise<Replica> => {
    const pool = new Pool({ connectionString: db.url, max: 6 });
    const store = await PostgresEventStore.connect({ pool });
    const synchronization = new SynchronizationService(new AssignmentCommands(store), store, pool, restoring);
    return { pool, store, synchronization };
  };
  const replicas: [Replica, Replica] = [await start(), await start()];
  const client = await replicas[0].pool.connect();
  await ensureReadModelSchema(client).finally(() => client.release());
  return { db, replicas };
}

export async function stopReplicas(db: TestDatabase, replicas: readonly Replica[]): Promise<void> {
  for (const { store, pool } of replicas) {
    await store.close();
    await pool.end();
  }
  await db.drop();
}

/** A connection with a verified account removed by hand and an executed one the read-back shows. */
export interface DriftedConnection {
  connectionId: string;
  /** The assignment whose verified account is gone, and its order (restored once). */
  gone: { assignmentId: string; orderId: string };
  /** What the agent read: the executed order's account, and one nobody asked for. */
  readBack: { accounts: Array<{ accountKey: string; attributes: Record<string, unknown> }>; memberships: [] };
}

const assignments = ALL_PROJECTIONS.find((projection) => projection.name === 'assignments')!;

/**
 * Seeds a fresh connection on `replica`: the orders through the assignments' own commands, the
 * read model through its own projection (what the projector would do, without waiting for it).
 */
export async function driftedConnection(replica: Replica): Promise<DriftedConnection> {
  const connectionId = `sync_${randomBytes(4).toString('hex')}`;
  const commands = new AssignmentCommands(replica.store);
  const now = new Date();
  const metadata = commandMetadata({ actor: 'test' }, now);
  const seed = async (accountKey: string, verified: boolean) => {
    const assignmentId = randomUUID();
    const orderId = randomUUID();
    const base = { assignmentId, now, actor: 'test' };
    const steps: AssignmentCommand[] = [
      { ...base, type: 'RequestAssignment', identityId: `i-${accountKey}`, entitlementId: 'staff' },
      {
        ...base,
        type: 'GenerateProvisioningOrder',
        orderId,
        changeType: 'Added',
        connectionId,
        resourceTypeId: 'account',
        fulfillment: 'automatic',
        changes: { accountKey, attributes: { mail: `${accountKey}@example.org` } },
        requiresReview: false,
      },
      { ...base, type: 'ReportProvisioningOrderExecuted', orderId, by: 'agent' },
    ];
    if (verified) steps.push({ ...base, type: 'VerifyProvisioningOrder', orderId });
    for (const step of steps) await commands.execute(assignmentId, step, metadata);
    return { assignmentId, orderId };
  };
  const gone = await seed('gone', true);
  const seen = await seed('seen', false);
  const client = await replica.pool.connect();
  try {
    await client.query('BEGIN');
    for (const { assignmentId } of [gone, seen]) {
      const events = await replica.store.readStream(assignmentStreamName(assignmentId));
      await assignments.applyMany!(client, LIVE_SCHEMA, events);
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  return {
    connectionId,
    gone,
    readBack: {
      accounts: [
        { accountKey: 'seen', attributes: { mail: 'seen@example.org' } },
        { accountKey: 'stranger', attributes: { mail: 'stranger@example.org' } },
      ],
      memberships: [],
    },
  };
}

/** The events of each type on a connection's synchronization stream, and the orders restoring `orderId`. */
export async function recorded(pool: Pool, connectionId: string, restoreOrderId: string) {
  const { rows } = await pool.query<{ event_type: string; n: number }>(
    `SELECT event_type, count(*)::int AS n FROM es.events WHERE stream_name = $1 GROUP BY event_type`,
    [`sync-${connectionId}`],
  );
  const { rows: restores } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM es.events
      WHERE event_type = 'ProvisioningOrderGenerated' AND data->>'orderId' = $1`,
    [restoreOrderId],
  );
  return {
    ...Object.fromEntries(rows.map((row) => [row.event_type, row.n])),
    restoreOrdersGenerated: restores[0].n,
  };
}
