import { ProvisioningState } from '@prov/domain';
import { DispatchReaction } from './dispatch.reaction';
import { OrderGenerationReaction } from './order-generation.reaction';
import { ReportsHandler } from './reports.handler';
import type { SynchronizationService } from './synchronization.service';
import { inMemoryOrders, type InMemoryOrders, ordersOf } from './testing/in-memory-orders';

const { Pending, Transmitted, Executed, Errored } = ProvisioningState;

describe('dispatch and agent reports (on the in-memory event store)', () => {
  let orders: InMemoryOrders;
  let generation: OrderGenerationReaction;
  let dispatch: DispatchReaction;
  let reports: ReportsHandler;

  beforeEach(async () => {
    orders = inMemoryOrders();
    generation = new OrderGenerationReaction(orders.assignments, orders.roleModel, orders.ownership);
    dispatch = new DispatchReaction(orders.assignments, orders.dispatcher);
    reports = new ReportsHandler(orders.assignments, {} as SynchronizationService, orders.dispatcher);
    await orders.registerIdentity('i-1', 'jdoe');
  });

  /** Requests the entitlement, generates its order and hands the generation event to the dispatch reaction. */
  async function requestAndDispatch(assignmentId: string, entitlementId: string) {
    await generation.handle(await orders.request(assignmentId, 'i-1', entitlementId));
    const generated = (await orders.events(assignmentId)).find(
      (e) => e.type === 'ProvisioningOrderGenerated',
    )!;
    await dispatch.handle(generated);
    return generated;
  }

  it('given a Pending order of an automatic connection, when dispatched, then the agent gets everything it needs, once', async () => {
    const generated = await requestAndDispatch('a-1', 'hr_app_reader');
    await dispatch.handle(generated);

    const [order] = ordersOf(await orders.load('a-1'));
    expect(orders.published).toEqual([
      {
        orderId: order.orderId,
        attempt: 1,
        connectionId: 'hr_app',
        assignmentId: 'a-1',
        identityId: 'i-1',
        entitlementId: 'hr_app_reader',
        resourceTypeId: 'hr_app_account',
        changeType: 'Added',
        changes: order.changes,
        sequence: 0,
      },
    ]);
    expect(order.stateCode).toBe(Pending);
  });

  it("given an assignment's second order, when dispatched, then it carries its place after the first (the agent skips an older one)", async () => {
    await requestAndDispatch('a-1', 'hr_app_reader');
    await generation.handle(await orders.revoke('a-1'));
    const generations = (await orders.events('a-1')).filter((e) => e.type === 'ProvisioningOrderGenerated');
    await dispatch.handle(generations[1]);

    expect(orders.published.map((p) => [p.changeType, p.sequence])).toEqual([
      ['Added', 0],
      ['Deleted', 1],
    ]);
  });

  it('given a Pending order of a manual connection, when dispatched, then it is transmitted to the operators and not published', async () => {
    const generated = await requestAndDispatch('a-1', 'building_badge');
    await dispatch.handle(generated);

    expect(ordersOf(await orders.load('a-1'))[0].stateCode).toBe(Transmitted);
    expect(orders.published).toEqual([]);
    const transmissions = (await orders.events('a-1')).filter(
      (e) => e.type === 'ProvisioningOrderTransmitted',
    );
    expect(transmissions).toHaveLength(1);
  });

  it('given an order in review, when its generation is handled, then nothing is sent', async () => {
    await requestAndDispatch('a-1', 'hr_app_admin');

    expect(orders.published).toEqual([]);
  });

  it('given a published order, when the agent reports it executed twice, then it is recorded once and the repeat says so', async () => {
    await requestAndDispatch('a-1', 'hr_app_reader');
    const [{ orderId }] = orders.published;
    const report = { assignmentId: 'a-1', orderId, attempt: 1, outcome: 'executed' as const };

    const first = await reports.report(report);
    const again = await reports.report(report);

    expect(first).toEqual({ recorded: true, provisioningStateCode: Executed });
    expect(again).toEqual({ recorded: false, reason: 'already-recorded', provisioningStateCode: Executed });
  });

  it('given a published order, when a report names another attempt, then it is refused as stale and the order stays', async () => {
    await requestAndDispatch('a-1', 'hr_app_reader');
    const [{ orderId }] = orders.published;

    const stale = await reports.report({
      assignmentId: 'a-1',
      orderId,
      attempt: 2,
      outcome: 'errored',
      error: 'x',
    });
    const errored = await reports.report({
      assignmentId: 'a-1',
      orderId,
      attempt: 1,
      outcome: 'errored',
      error: 'boom',
    });

    expect(stale).toEqual({ recorded: false, reason: 'stale-attempt', provisioningStateCode: Pending });
    expect(errored).toEqual({ recorded: true, provisioningStateCode: Errored });
    expect(ordersOf(await orders.load('a-1'))[0].lastError).toBe('boom');
  });
});
