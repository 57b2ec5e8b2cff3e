import { ProvisioningState } from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { AssignmentCommands } from './assignment-commands';
import { DispatchReaction } from './dispatch.reaction';
import { OrderGenerationReaction } from './order-generation.reaction';
import { ReportsHandler } from './reports.handler';
import type { SynchronizationService } from './synchronization.service';
import { inMemoryOrders, type InMemoryOrders } from './testing/in-memory-orders';

const { Executed, Errored } = ProvisioningState;

/**
 * `prov.cmd.orders.report-batch` (ADR 0054): an agent's reports of several orders in one
 * command, each recorded as the single report records it, all at once (their appends share
 * commits), each answered on its own, none reading the assignment stream.
 */
describe('ReportsHandler.reportBatch', () => {
  let orders: InMemoryOrders;
  let reports: ReportsHandler;
  let generation: OrderGenerationReaction;

  beforeEach(async () => {
    orders = inMemoryOrders();
    const dispatch = new DispatchReaction(orders.assignments, orders.dispatcher);
    generation = new OrderGenerationReaction(
      orders.assignments,
      orders.roleModel,
      orders.ownership,
      dispatch,
    );
    reports = new ReportsHandler(orders.assignments, {} as SynchronizationService);
    await orders.registerIdentity('i-1', 'jdoe');
  });

  /** Requested by another process (the requests service), generated here: the order id. */
  async function generated(assignmentId: string, entitlementId: string): Promise<string> {
    const elsewhere = new AssignmentCommands(orders.store, orders.roleModel);
    const command = { type: 'RequestAssignment' as const, assignmentId, identityId: 'i-1', entitlementId };
    await elsewhere.execute(assignmentId, { ...command, now: new Date(), actor: 'test' }, orders.metadata());
    const [requested] = await orders.store.readStream(`assignment-${assignmentId}`);
    await generation.handle(requested as RecordedEvent);
    return orders.published.at(-1)!.orderId;
  }

  it('records every item at once, answers each in order, and reads no assignment stream', async () => {
    const first = await generated('a-1', 'hr_app_reader');
    const second = await generated('a-2', 'ldap_staff');
    const reads = jest.spyOn(orders.store, 'readStream');
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
    expect(reads).not.toHaveBeenCalled();
    const recorded = (await orders.store.readStream('assignment-a-1')).at(-1)!;
    expect(recorded.type).toBe('ProvisioningOrderExecuted');
    expect(recorded.metadata).toMatchObject({ actor: 'agent' });
  });

  it('answers a repeated item as already recorded and a failing item with its own error', async () => {
    const first = await generated('a-1', 'hr_app_reader');
    await reports.report({ assignmentId: 'a-1', orderId: first, attempt: 1, outcome: 'executed' });

    const reply = await reports.reportBatch({
      actor: 'agent-ldap',
      items: [
        { assignmentId: 'a-1', orderId: first, attempt: 1, outcome: 'executed' },
        { assignmentId: 'a-9', orderId: 'o-9', attempt: 1, outcome: 'executed' },
      ],
    });

    expect(reply.results[0]).toEqual({
      value: { recorded: false, reason: 'already-recorded', provisioningStateCode: Executed },
    });
    expect(reply.results[1]).toMatchObject({
      error: { status: expect.any(Number), message: expect.any(String) },
    });
    expect((reply.results[1] as { error: { status: number } }).error.status).toBeLessThan(500);
  });
});
