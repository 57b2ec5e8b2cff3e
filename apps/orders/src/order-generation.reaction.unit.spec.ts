import { ProvisioningState } from '@prov/domain';
import { OrderGenerationReaction } from './order-generation.reaction';
import { inMemoryOrders, type InMemoryOrders, ordersOf } from './testing/in-memory-orders';

const { Pending, AwaitingApproval, Error: Failed, Verified } = ProvisioningState;

describe('order generation (reaction on the in-memory event store)', () => {
  let orders: InMemoryOrders;
  let reaction: OrderGenerationReaction;

  beforeEach(async () => {
    orders = inMemoryOrders();
    reaction = new OrderGenerationReaction(orders.assignments, orders.roleModel, orders.ownership);
    await orders.registerIdentity('i-1', 'jdoe');
  });

  it('given a request, when handled, then a Pending order carries the account the role model computes and its version', async () => {
    await reaction.handle(await orders.request('a-1', 'i-1', 'hr_app_reader'));

    const [order] = ordersOf(await orders.load('a-1'));
    expect(order).toMatchObject({
      stateCode: Pending,
      changeType: 'Added',
      connectionId: 'hr_app',
      fulfillment: 'automatic',
      changes: { accountKey: 'jdoe', group: 'readers' },
    });
    const generated = (await orders.events('a-1')).find((e) => e.type === 'ProvisioningOrderGenerated');
    expect(generated?.data).toMatchObject({ roleModelVersion: orders.roleModel.hash });
  });

  it('given the request was handled, when it is handled again (redelivery), then nothing more is appended', async () => {
    const requested = await orders.request('a-1', 'i-1', 'hr_app_reader');
    await reaction.handle(requested);
    const before = (await orders.events('a-1')).length;

    await reaction.handle(requested);
    await reaction.catchUp('a-1');

    expect(await orders.events('a-1')).toHaveLength(before);
  });

  it('given an entitlement that needs review, when handled, then the order waits in 5 AwaitingApproval', async () => {
    await reaction.handle(await orders.request('a-1', 'i-1', 'hr_app_admin'));

    expect(ordersOf(await orders.load('a-1'))[0].stateCode).toBe(AwaitingApproval);
  });

  it('given an identity that is not registered or a rule that throws, when handled, then the order is 7 Error saying why', async () => {
    await reaction.handle(await orders.request('a-1', 'nobody', 'hr_app_reader'));
    await reaction.handle(await orders.request('a-2', 'i-1', 'hr_app_broken'));

    expect(ordersOf(await orders.load('a-1'))[0]).toMatchObject({
      stateCode: Failed,
      lastError: 'identity nobody is not registered',
    });
    const broken = ordersOf(await orders.load('a-2'))[0];
    expect(broken.stateCode).toBe(Failed);
    expect(broken.lastError).toBeTruthy();
  });

  it('given another identity holds the account key, when handled, then the order is 7 Error naming both identities', async () => {
    await orders.registerIdentity('i-2', 'jdoe');
    await reaction.handle(await orders.request('a-1', 'i-1', 'hr_app_reader'));

    await reaction.handle(await orders.request('a-2', 'i-2', 'hr_app_reader'));

    expect(ordersOf(await orders.load('a-1'))[0].stateCode).toBe(Pending);
    expect(ordersOf(await orders.load('a-2'))[0]).toMatchObject({
      stateCode: Failed,
      lastError: expect.stringContaining(
        'already the account of identity i-1; identity i-2 computes the same key',
      ),
    });
  });

  it('given an order still in review, when the assignment is revoked, then its removal is generated as already true (4 Verified)', async () => {
    await reaction.handle(await orders.request('a-1', 'i-1', 'hr_app_admin'));

    await reaction.handle(await orders.revoke('a-1'));

    const removal = ordersOf(await orders.load('a-1')).find((o) => o.changeType === 'Deleted');
    expect(removal).toMatchObject({ stateCode: Verified, connectionId: 'hr_app', requiresReview: false });
  });

  it('given a Pending order (it may be written), when revoked, then a Deleted order is Pending, not held for review', async () => {
    await reaction.handle(await orders.request('a-1', 'i-1', 'hr_app_reader'));

    await reaction.handle(await orders.revoke('a-1'));

    const removal = ordersOf(await orders.load('a-1')).find((o) => o.changeType === 'Deleted');
    expect(removal).toMatchObject({ stateCode: Pending, changes: { accountKey: 'jdoe', group: 'readers' } });
  });
});
