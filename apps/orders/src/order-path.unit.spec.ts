import { ProvisioningState } from '@prov/domain';
import type { EventStore, RecordedEvent } from '@prov/event-store';
import { AssignmentCommands } from './assignment-commands';
import { DispatchReaction } from './dispatch.reaction';
import { OrderGenerationReaction } from './order-generation.reaction';
import { ReportsHandler } from './reports.handler';
import type { SynchronizationService } from './synchronization.service';
import { inMemoryOrders, type InMemoryOrders, ordersOf } from './testing/in-memory-orders';

const { Pending, Executed, Errored } = ProvisioningState;

/**
 * One order's way through the orders service (ADR 0044): generation decides on the request it
 * reacts to and sends the order at once; the dispatch reaction then has nothing left to do, and
 * the agent's report is decided on what generation wrote. None of them reads the assignment
 * stream, and a guess gone stale (another process wrote meanwhile) is read and decided again.
 */
describe('the order path without reading the assignment again', () => {
  let orders: InMemoryOrders;
  let generation: OrderGenerationReaction;
  let dispatch: DispatchReaction;
  let reports: ReportsHandler;
  /** The requests service and the operators: another process, with what it knows of its own. */
  let elsewhere: AssignmentCommands;
  let assignmentReads: string[];
  /** The test's own look at a stream, not counted among the service's reads. */
  let look: (assignmentId: string) => Promise<RecordedEvent[]>;

  beforeEach(async () => {
    orders = inMemoryOrders();
    dispatch = new DispatchReaction(orders.assignments, orders.dispatcher);
    generation = new OrderGenerationReaction(
      orders.assignments,
      orders.roleModel,
      orders.ownership,
      dispatch,
    );
    reports = new ReportsHandler(orders.assignments, {} as SynchronizationService, orders.dispatcher);
    await orders.registerIdentity('i-1', 'jdoe');
    assignmentReads = [];
    const read = orders.store.readStream.bind(orders.store);
    look = (assignmentId) => read(`assignment-${assignmentId}`);
    // Its reads are not the orders service's: they go past the count.
    const elsewhereStore: EventStore = Object.create(orders.store);
    elsewhereStore.readStream = read;
    elsewhere = new AssignmentCommands(elsewhereStore, orders.roleModel);
    jest.spyOn(orders.store, 'readStream').mockImplementation((stream, options) => {
      if (stream.startsWith('assignment-')) assignmentReads.push(stream);
      return read(stream, options);
    });
  });

  async function requestElsewhere(assignmentId: string, entitlementId: string): Promise<RecordedEvent> {
    const command = { type: 'RequestAssignment' as const, assignmentId, identityId: 'i-1', entitlementId };
    await elsewhere.execute(assignmentId, { ...command, now: new Date(), actor: 'test' }, orders.metadata());
    return (await look(assignmentId))[0];
  }

  async function eventOf(assignmentId: string, type: string): Promise<RecordedEvent> {
    const events = await look(assignmentId);
    return events.filter((e) => e.type === type).at(-1)!;
  }

  it('given a request, when generated, dispatched and reported, then the order is sent once and the stream never read', async () => {
    await generation.handle(await requestElsewhere('a-1', 'hr_app_reader'));
    expect(orders.published).toHaveLength(1);
    const [{ orderId }] = orders.published;

    await dispatch.handle(await eventOf('a-1', 'ProvisioningOrderGenerated'));
    const reported = await reports.report({ assignmentId: 'a-1', orderId, attempt: 1, outcome: 'executed' });

    expect(orders.published).toHaveLength(1);
    expect(reported).toEqual({ recorded: true, provisioningStateCode: Executed });
    expect(assignmentReads).toEqual([]);
  });

  it('given an order sent at once, when the dispatch reaction is handed its event again (a restart), then it reads and sends no repeat', async () => {
    await generation.handle(await requestElsewhere('a-1', 'hr_app_reader'));
    const generated = await eventOf('a-1', 'ProvisioningOrderGenerated');
    await dispatch.handle(generated);

    await new DispatchReaction(orders.assignments, orders.dispatcher).handle(generated);

    expect(orders.published).toHaveLength(1);
  });

  it('given the dispatch reaction reaches the event while its publish awaits the acknowledgement, then it waits for it and neither reads nor sends again', async () => {
    const publish = orders.dispatcher.publish.bind(orders.dispatcher);
    let acknowledge!: () => void;
    const acknowledged = new Promise<void>((resolve) => (acknowledge = resolve));
    jest.spyOn(orders.dispatcher, 'publish').mockImplementation(async (assignment, order) => {
      const result = await publish(assignment, order);
      await acknowledged;
      return result;
    });
    const generating = generation.handle(await requestElsewhere('a-1', 'hr_app_reader'));
    await waitUntil(() => orders.published.length === 1);

    const dispatching = dispatch.handle(await eventOf('a-1', 'ProvisioningOrderGenerated'));
    acknowledge();
    await Promise.all([generating, dispatching]);

    expect(orders.dispatcher.publish).toHaveBeenCalledTimes(1);
    expect(assignmentReads).toEqual([]);
  });

  it('given the publish fails when generated, then the dispatch reaction sends the order when it gets to it', async () => {
    const publish = jest.spyOn(orders.dispatcher, 'publish').mockRejectedValueOnce(new Error('nats down'));
    await generation.handle(await requestElsewhere('a-1', 'hr_app_reader'));
    expect(orders.published).toHaveLength(0);

    await dispatch.handle(await eventOf('a-1', 'ProvisioningOrderGenerated'));

    expect(publish).toHaveBeenCalledTimes(2);
    expect(orders.published).toHaveLength(1);
  });

  it('given another process retried the order meanwhile, when the agent reports the new attempt, then it is recorded, not refused as stale', async () => {
    await generation.handle(await requestElsewhere('a-1', 'hr_app_reader'));
    const [{ orderId }] = orders.published;
    const now = new Date();
    const base = { assignmentId: 'a-1', orderId, now, actor: 'op' };
    await elsewhere.execute(
      'a-1',
      { ...base, type: 'ReportProvisioningOrderErrored', by: 'agent', error: 'boom' },
      orders.metadata(),
    );
    await elsewhere.execute('a-1', { ...base, type: 'RetryProvisioningOrder' }, orders.metadata());

    const reported = await reports.report({ assignmentId: 'a-1', orderId, attempt: 2, outcome: 'executed' });

    expect(reported).toEqual({ recorded: true, provisioningStateCode: Executed });
    expect(ordersOf(await orders.load('a-1'))[0]).toMatchObject({ attempt: 2, stateCode: Executed });
  });

  it('given an executed order, when the assignment is revoked elsewhere, then the removal is generated from what is known and sent at once', async () => {
    await generation.handle(await requestElsewhere('a-1', 'hr_app_reader'));
    const [{ orderId }] = orders.published;
    await reports.report({ assignmentId: 'a-1', orderId, attempt: 1, outcome: 'executed' });
    await elsewhere.execute(
      'a-1',
      { type: 'RevokeAssignment', assignmentId: 'a-1', now: new Date(), actor: 'test' },
      orders.metadata(),
    );
    const revoked = await eventOf('a-1', 'AssignmentRevoked');

    await generation.handle(revoked);

    expect(assignmentReads).toEqual([]);
    expect(orders.published.map((p) => p.changeType)).toEqual(['Added', 'Deleted']);
    expect(ordersOf((await orders.assignments.loadStream('a-1')).state).at(-1)).toMatchObject({
      changeType: 'Deleted',
      stateCode: Pending,
    });
  });

  it('given two orders, when the agent reports both in one batch, then both are appended at once, answered in order, without reading', async () => {
    await generation.handle(await requestElsewhere('a-1', 'hr_app_reader'));
    await generation.handle(await requestElsewhere('a-2', 'ldap_staff'));
    const [first, second] = orders.published.map((p) => p.orderId);
    let appending = 0;
    let mostAtOnce = 0;
    const append = orders.store.appendToStream.bind(orders.store);
    jest.spyOn(orders.store, 'appendToStream').mockImplementation(async (...args) => {
      mostAtOnce = Math.max(mostAtOnce, ++appending);
      await new Promise((resolve) => setImmediate(resolve));
      try {
        return await append(...args);
      } finally {
        appending--;
      }
    });

    const reply = await reports.reportBatch({
      items: [
        { assignmentId: 'a-1', orderId: first, attempt: 1, outcome: 'executed' },
        { assignmentId: 'a-2', orderId: second, attempt: 1, outcome: 'errored', error: 'no such group' },
      ],
    });

    expect(reply.results).toEqual([
      { value: { recorded: true, provisioningStateCode: Executed } },
      { value: { recorded: true, provisioningStateCode: Errored } },
    ]);
    expect(mostAtOnce).toBe(2);
    expect(assignmentReads).toEqual([]);
    expect((await eventOf('a-1', 'ProvisioningOrderExecuted')).metadata).toMatchObject({ actor: 'agent' });
  });

  it('given a stored report, when a batch repeats it next to a report on no known assignment, then each item gets its own answer', async () => {
    await generation.handle(await requestElsewhere('a-1', 'hr_app_reader'));
    const [{ orderId }] = orders.published;
    await reports.report({ assignmentId: 'a-1', orderId, attempt: 1, outcome: 'executed' });

    const reply = await reports.reportBatch({
      actor: 'agent-ldap',
      items: [
        { assignmentId: 'a-1', orderId, attempt: 1, outcome: 'executed' },
        { assignmentId: 'a-9', orderId: 'o-9', attempt: 1, outcome: 'executed' },
      ],
    });

    expect(reply.results).toEqual([
      { value: { recorded: false, reason: 'already-recorded', provisioningStateCode: Executed } },
      { error: expect.objectContaining({ status: 404 }) },
    ]);
  });
});

/** Lets pending promise callbacks run until the condition holds (bounded: the fakes do no I/O). */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !condition(); turn++) await new Promise(setImmediate);
  expect(condition()).toBe(true);
}
