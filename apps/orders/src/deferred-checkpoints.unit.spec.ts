import { InMemoryCheckpointStore, type Position } from '@prov/event-store';
import { DeferredCheckpoints } from './deferred-checkpoints';

const at = (n: number) => String(n).padStart(20, '0') as Position;

describe('deferred checkpoints (one write per subscription and interval)', () => {
  let inner: InMemoryCheckpointStore;
  let writes: [string, Position][];

  beforeEach(() => {
    jest.useFakeTimers();
    inner = new InMemoryCheckpointStore();
    writes = [];
    const store = inner.store.bind(inner);
    jest.spyOn(inner, 'store').mockImplementation(async (id, position) => {
      writes.push([id, position]);
      await store(id, position);
    });
  });

  afterEach(() => jest.useRealTimers());

  it('given a quiet subscription, when an event is handled, then its checkpoint is written at once', async () => {
    const checkpoints = new DeferredCheckpoints(inner, 200);

    await checkpoints.store('gen', at(1));

    expect(writes).toEqual([['gen', at(1)]]);
  });

  it('given a busy subscription, when events are handled within the interval, then only the latest is written, once, when it ends', async () => {
    const checkpoints = new DeferredCheckpoints(inner, 200);
    await checkpoints.store('gen', at(1));
    for (let n = 2; n <= 50; n++) await checkpoints.store('gen', at(n));
    await checkpoints.store('dispatch', at(7));
    expect(writes).toHaveLength(1);

    await jest.advanceTimersByTimeAsync(200);

    expect(writes).toEqual([
      ['gen', at(1)],
      ['gen', at(50)],
      ['dispatch', at(7)],
    ]);
  });

  it('given pending checkpoints, when the service closes or a subscription loads its checkpoint again, then what is pending is written first', async () => {
    const checkpoints = new DeferredCheckpoints(inner, 200);
    await checkpoints.store('gen', at(1));
    await checkpoints.store('gen', at(2));

    expect(await checkpoints.load('gen')).toBe(at(2));
    await checkpoints.store('gen', at(3));
    await checkpoints.close();
    expect(await inner.load('gen')).toBe(at(3));
  });

  it('given a write fails, then the position is written on the next flush, never an older one over a newer', async () => {
    const checkpoints = new DeferredCheckpoints(inner, 200);
    (inner.store as jest.Mock).mockRejectedValueOnce(new Error('connection lost'));
    await checkpoints.store('gen', at(1));
    expect(await inner.load('gen')).toBeUndefined();

    await checkpoints.store('gen', at(2));
    await jest.advanceTimersByTimeAsync(200);

    expect(await inner.load('gen')).toBe(at(2));
  });
});
