import { accountKeyStreamName } from './account-ownership';
import { type EventStore, InMemoryEventStore } from '@prov/event-store';
import { assignmentStreamName, ProvisioningState } from '@prov/domain';
import { OrderGenerationReaction } from './order-generation.reaction';
import { inMemoryOrders, type InMemoryOrders, ordersOf } from './testing/in-memory-orders';

const { Pending, Error: Failed } = ProvisioningState;
const claimStream = accountKeyStreamName('hr_app', 'jdoe');

/** ADR 0066: a new order and its account key's first claim are one append over two streams. */
describe('an initial order and its account key claim', () => {
  let store: InMemoryEventStore;
  let appends: string[][];
  let watched: EventStore;
  let orders: InMemoryOrders;
  let reaction: OrderGenerationReaction;

  beforeEach(async () => {
    store = new InMemoryEventStore();
    appends = [];
    // Every append as the streams it wrote together, in the order the calls reached the store.
    watched = Object.create(store) as EventStore;
    watched.appendToStream = (stream, ...rest) => {
      appends.push([stream]);
      return store.appendToStream(stream, ...rest);
    };
    watched.appendToStreams = (parts) => {
      appends.push(parts.map((part) => part.streamName));
      return store.appendToStreams(parts);
    };
    orders = inMemoryOrders(watched);
    reaction = new OrderGenerationReaction(orders.assignments, orders.roleModel, orders.ownership);
    await orders.registerIdentity('i-1', 'jdoe');
    await orders.registerIdentity('i-2', 'jdoe');
  });

  const claims = async () => (await store.readStream(claimStream)).map((event) => event.data);

  it('given a key met for the first time, when the request is handled, then the claim and the order are one append', async () => {
    const requested = await orders.request('a-1', 'i-1', 'hr_app_reader');
    appends = [];

    await reaction.handle(requested);

    expect(appends).toEqual([[assignmentStreamName('a-1'), claimStream]]);
    expect(ordersOf(await orders.load('a-1'))[0].stateCode).toBe(Pending);
    expect(await claims()).toEqual([
      { connectionId: 'hr_app', accountKey: 'jdoe', identityId: 'i-1', assignmentId: 'a-1' },
    ]);
  });

  it('given both were appended and the process died before its checkpoint, when another process handles the request again, then nothing more is written', async () => {
    const requested = await orders.request('a-1', 'i-1', 'hr_app_reader');
    await reaction.handle(requested);
    const written = (await orders.events('a-1')).length;
    const restarted = inMemoryOrders(watched);

    await new OrderGenerationReaction(restarted.assignments, restarted.roleModel, restarted.ownership).handle(
      requested,
    );

    expect(await orders.events('a-1')).toHaveLength(written);
    expect(await claims()).toHaveLength(1);
  });

  it('given the key was claimed before, when another identity asks for it, then nothing is claimed and the order is 7 Error naming both', async () => {
    await reaction.handle(await orders.request('a-1', 'i-1', 'hr_app_reader'));

    await reaction.handle(await orders.request('a-2', 'i-2', 'hr_app_reader'));

    const [order] = ordersOf(await orders.load('a-2'));
    expect(order.stateCode).toBe(Failed);
    expect(order.lastError).toContain(
      'already the account of identity i-1; identity i-2 computes the same key',
    );
    expect(await claims()).toHaveLength(1);
  });
});
