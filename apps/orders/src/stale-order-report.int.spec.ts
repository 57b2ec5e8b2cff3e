import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { commandMetadata } from '@prov/command-handling';
import type { AssignmentCommand, ProvisioningOrder } from '@prov/domain';
import { InMemoryEventStore } from '@prov/event-store';
import { ensureOrdersStreams, OrderConsumer, type OrderEnvelope, OrderPublisher } from '@prov/messaging';
import type { NatsConnectionProvider } from '@prov/platform';
import { testNatsUrl, waitFor } from '@prov/testing';
import { AssignmentCommands } from './assignment-commands';
import { OrderDispatcher, orderEnvelope } from './order-dispatcher';
import { ReportsHandler } from './reports.handler';
import type { SynchronizationService } from './synchronization.service';

jest.setTimeout(60_000);

/**
 * ADR 0065's gap, on JetStream: an agent that did not see the newer order (restarted, or another
 * agent of the connection) applies the older one after it. The agent's own memory cannot know;
 * `orders` can, when that agent reports the older order executed: the newer one is sent again,
 * although JetStream already had that attempt (its duplicate window would drop a plain re-send).
 */
describe('a superseded order reported executed', () => {
  const connectionId = `stale_${randomBytes(5).toString('hex')}`;
  const assignmentId = `a-${randomBytes(5).toString('hex')}`;
  let nc: NatsConnection;
  let consumer: OrderConsumer;
  const delivered: OrderEnvelope[] = [];
  let assignments: AssignmentCommands;
  let dispatcher: OrderDispatcher;
  let reports: ReportsHandler;

  beforeAll(async () => {
    nc = await connect({ servers: testNatsUrl() });
    await ensureOrdersStreams(await nc.jetstreamManager());
    // The connection's agents, as one: what the queue hands out, acked at once.
    consumer = new OrderConsumer(nc, {
      connectionId,
      handler: async (order) => void delivered.push(order),
      pullExpiresMs: 1000,
      stopGraceMs: 1000,
    });
    await consumer.start();
    assignments = new AssignmentCommands(new InMemoryEventStore());
    dispatcher = new OrderDispatcher({ get: async () => nc } as unknown as NatsConnectionProvider);
    reports = new ReportsHandler(assignments, {} as SynchronizationService, dispatcher);
  });
  afterAll(async () => {
    await consumer.stop();
    await nc.close();
  });

  const now = () => new Date();
  const run = (command: AssignmentCommand) =>
    assignments.execute(assignmentId, command, commandMetadata({ actor: 'test' }, now()));
  const order = (orderId: string, changeType: 'Added' | 'Deleted'): AssignmentCommand => ({
    type: 'GenerateProvisioningOrder',
    assignmentId,
    orderId,
    now: now(),
    actor: 'orders',
    changeType,
    connectionId,
    resourceTypeId: 'account',
    fulfillment: 'automatic',
    requiresReview: false,
    changes: { accountKey: 'jdoe', attributes: {} },
  });
  const publish = async (orderId: string) => {
    const state = await assignments.load(assignmentId);
    if (!state.exists) throw new Error('no assignment');
    await dispatcher.publish(state, state.orders[orderId] as ProvisioningOrder);
  };
  const executed = (orderId: string) =>
    reports
      .report({ assignmentId, orderId, attempt: 1, outcome: 'executed' })
      .catch((error: unknown) => error);
  const deliveriesOf = (orderId: string) => delivered.filter((d) => d.orderId === orderId);

  it('sends the newer order again, once per stale order, and still refuses the stale report', async () => {
    await run({
      type: 'RequestAssignment',
      assignmentId,
      identityId: 'jdoe',
      entitlementId: 'ent',
      now: now(),
      actor: 't',
    });
    await run(order('o-added', 'Added'));
    await publish('o-added'); // taken by an agent that is slow, or dies before acking
    await run({ type: 'RevokeAssignment', assignmentId, now: now(), actor: 't' });
    await run(order('o-deleted', 'Deleted')); // supersedes the Added
    await publish('o-deleted');
    await waitFor(() => deliveriesOf('o-deleted').length === 1, {
      description: 'the Deleted order delivered',
    });
    expect(await executed('o-deleted')).toMatchObject({ recorded: true });
    await publish('o-deleted'); // a plain re-send of the same attempt (the lost-dispatch timer's) is dropped

    // Another agent (or the first one restarted) applies the Added after the Deleted.
    const refused = await executed('o-added');

    expect(refused).toBeInstanceOf(Error);
    expect(String((refused as Error).message)).toMatch(/superseded by o-deleted/);
    const again = await waitFor(() => deliveriesOf('o-deleted'), {
      until: (d) => d.length === 2,
      description: 'the Deleted order sent again',
    });
    expect(again[1]).toMatchObject({ changeType: 'Deleted', attempt: 1, sequence: 1 });

    await executed('o-added'); // the same stale report again (the agent retrying it)
    // Whatever it sent is in the queue before this marker, which is delivered after it.
    const state = await assignments.load(assignmentId);
    if (!state.exists) throw new Error('no assignment');
    await new OrderPublisher(nc.jetstream()).publish(connectionId, {
      ...orderEnvelope(state, state.orders['o-added'] as ProvisioningOrder),
      orderId: 'o-marker',
    });
    await waitFor(() => deliveriesOf('o-marker').length === 1, { description: 'the marker delivered' });
    expect(deliveriesOf('o-deleted')).toHaveLength(2);
  });
});
