import { identityStreamName, ProvisioningState } from '@prov/domain';
import { MoverReaction } from './mover.reaction';
import { OrderGenerationReaction } from './order-generation.reaction';
import { inMemoryOrders, type InMemoryOrders, ordersOf } from './testing/in-memory-orders';

describe('the mover (reaction on the in-memory event store)', () => {
  let orders: InMemoryOrders;
  let mover: MoverReaction;

  beforeEach(async () => {
    orders = inMemoryOrders();
    const generation = new OrderGenerationReaction(orders.assignments, orders.roleModel, orders.ownership);
    mover = new MoverReaction(orders.assignments, orders.roleModel, orders.ownership);
    await orders.registerIdentity('i-1', 'jdoe');
    await generation.handle(await orders.request('a-1', 'i-1', 'ldap_staff'));
    await orders.hold('i-1', 'ldap_staff', 'a-1');
  });

  async function lastIdentityEvent() {
    const events = await orders.store.readStream(identityStreamName('i-1'));
    return events[events.length - 1];
  }

  it('given a directory account, when the department changes, then a Modified order carries only what changed', async () => {
    await orders.updateIdentity('i-1', { department: 'Finance' });

    await mover.handle(await lastIdentityEvent());

    const modified = ordersOf(await orders.load('a-1')).find((o) => o.changeType === 'Modified');
    expect(modified?.changes).toEqual({
      accountKey: 'jdoe',
      attributes: { departmentNumber: 'Finance' },
      group: 'staff',
    });
  });

  it('given the login changes, when handled twice, then one Modified order renames the account from its previous key', async () => {
    await orders.updateIdentity('i-1', { login: 'jdoe2' });
    const updated = await lastIdentityEvent();

    await mover.handle(updated);
    await mover.handle(updated);

    const modified = ordersOf(await orders.load('a-1')).filter((o) => o.changeType === 'Modified');
    expect(modified).toHaveLength(1);
    expect(modified[0].changes).toMatchObject({ accountKey: 'jdoe2', previousAccountKey: 'jdoe' });
    expect(modified[0].stateCode).toBe(ProvisioningState.Pending);
  });

  it('given a change of an attribute the account does not map, when handled, then no order is generated', async () => {
    await orders.updateIdentity('i-1', { attributes: { costCenter: '42' } });
    const updated = await lastIdentityEvent();
    expect(updated.type).toBe('IdentityUpdated');

    await mover.handle(updated);

    expect(ordersOf(await orders.load('a-1'))).toHaveLength(1);
  });
});
