import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { Pool } from 'pg';
import { ProvisioningState } from '@prov/domain';
import { ensureOrdersStreams, oldestQueuedOrderAt, OrderPublisher } from '@prov/messaging';
import { ensureReadModelSchema } from '@prov/read-models';
import { createTestDatabase, type TestDatabase, testNatsUrl } from '@prov/testing';
import { LostDispatches } from './lost-dispatches';

jest.setTimeout(60_000);

const TIMEOUT_MS = 300_000;
const { Pending } = ProvisioningState;
const minutes = (n: number) => n * 60_000;

/**
 * The timers send a Pending order again only once its message has left its connection's queue
 * (ADR 0076), on a real read model and a real work queue. The queue's oldest order is stored
 * now; the tick runs an hour later, so that queue is an hour long.
 */
describe('the Pending orders the timers send again', () => {
  let db: TestDatabase;
  let pool: Pool;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let queuedAt: Date;
  const suffix = Math.random().toString(36).slice(2, 8);
  const [long, empty, gone, unknown] = ['long', 'empty', 'gone', 'unknown'].map((c) => `${c}_${suffix}`);

  async function pending(orderId: string, connectionId: string, updatedAt: Date, fulfillment = 'automatic') {
    await pool.query(
      `INSERT INTO rm.assignments (assignment_id, identity_id, entitlement_id, workflow_state, requested_at,
              current_order_id, provisioning_state_code, state, updated_at, revision)
       VALUES ($1, 'i', 'e', 'Requested', $2, $3, ${Pending}, '{}'::jsonb, $2, 1)`,
      [`a-${orderId}`, updatedAt, orderId],
    );
    await pool.query(
      `INSERT INTO rm.orders (order_id, assignment_id, identity_id, entitlement_id, connection_id, resource_type_id,
              change_type, changes, provisioning_state_code, attempt, is_open, fulfillment, generated_at, updated_at)
       VALUES ($1, $2, 'i', 'e', $3, 'account', 'Added', '{}'::jsonb, ${Pending}, 1, true, $4, $5, $5)`,
      [orderId, `a-${orderId}`, connectionId, fulfillment, updatedAt],
    );
  }

  beforeAll(async () => {
    db = await createTestDatabase('lost-dispatches');
    pool = new Pool({ connectionString: db.url });
    const client = await pool.connect();
    await ensureReadModelSchema(client).finally(() => client.release());
    nc = await connect({ servers: testNatsUrl() });
    jsm = await nc.jetstreamManager();
    await ensureOrdersStreams(jsm);
    const publisher = new OrderPublisher(nc.jetstream());
    for (const connectionId of [long, gone, unknown]) {
      const stored = await publisher.publish(connectionId, {
        orderId: `queued-${connectionId}`,
        attempt: 1,
        connectionId,
      });
      queuedAt = (await jsm.streams.getMessage('PROV_ORDERS', { seq: stored.sequence })).time;
    }
    const before = (ms: number) => new Date(queuedAt.getTime() - ms);
    // Timed out (an hour later) on every connection; those stored two minutes before the queue's
    // oldest may be in that queue still, those ten minutes before cannot be.
    await pending('long-2', long, before(minutes(2)));
    await pending('long-10', long, before(minutes(10)));
    await pending('empty-2', empty, before(minutes(2)));
    await pending('empty-manual', empty, before(minutes(10)), 'manual');
    await pending('gone-2', gone, before(minutes(2)));
    await pending('gone-10', gone, before(minutes(10)));
    await pending('unknown-10', unknown, before(minutes(10)));
  });

  afterAll(async () => {
    await nc?.close();
    await pool?.end();
    await db?.drop();
  });

  it('sends again what left its queue without a report, not what may still wait in it', async () => {
    const warnings: unknown[] = [];
    const lost = new LostDispatches(
      pool,
      async (connectionId) => {
        if (connectionId === unknown) throw new Error('Permissions Violation for Publish');
        return oldestQueuedOrderAt(jsm, connectionId);
      },
      { warn: (message: unknown) => void warnings.push(message) },
    );
    const due: string[] = [];
    const anHourLater = new Date(queuedAt.getTime() + minutes(60));
    // `gone` is no connection of the role model any more: read with the others, its queue asked all the same.
    for await (const order of lost.due(anHourLater, TIMEOUT_MS, [long, empty, unknown]))
      due.push(order.orderId);
    expect(due.sort()).toEqual(['empty-2', 'gone-10', 'long-10']);
    expect(warnings).toEqual([expect.objectContaining({ connectionId: unknown })]);
  });

  it('sends nothing before the dispatch timeout, queued or not', async () => {
    const lost = new LostDispatches(pool, (connectionId) => oldestQueuedOrderAt(jsm, connectionId), {
      warn: () => undefined,
    });
    const due: string[] = [];
    for await (const order of lost.due(new Date(queuedAt.getTime() - minutes(6)), TIMEOUT_MS, [long, empty]))
      due.push(order.orderId);
    expect(due).toEqual([]);
  });
});
