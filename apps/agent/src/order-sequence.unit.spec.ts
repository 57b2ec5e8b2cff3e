import { OrderSequence } from './order-sequence';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("OrderSequence: one assignment's orders in generation order", () => {
  const modified = { assignmentId: 'a-1', sequence: 1 };
  const deleted = { assignmentId: 'a-1', sequence: 2 };

  it('given the Deleted applied, when the older Modified arrives, then it is not applied', async () => {
    const sequence = new OrderSequence();
    const applied: string[] = [];
    await sequence.run(deleted, async () => applied.push('Deleted'));

    const outcome = await sequence.run(modified, async () => applied.push('Modified'));

    expect(outcome).toEqual({ stale: true });
    expect(applied).toEqual(['Deleted']);
  });

  it('given two orders of one assignment arriving together, then the second starts when the first is done', async () => {
    const sequence = new OrderSequence();
    const steps: string[] = [];
    const gate = deferred();
    const first = sequence.run(modified, async () => {
      steps.push('Modified started');
      await gate.promise;
      steps.push('Modified done');
    });
    const second = sequence.run(deleted, async () => steps.push('Deleted'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(steps).toEqual(['Modified started']);

    gate.resolve();
    await Promise.all([first, second]);
    expect(steps).toEqual(['Modified started', 'Modified done', 'Deleted']);
  });

  it('given the newer order arrives first, when the older one follows at once, then only the newer is applied', async () => {
    const sequence = new OrderSequence();
    const applied: number[] = [];
    const outcomes = await Promise.all([
      sequence.run(deleted, async () => applied.push(2)),
      sequence.run(modified, async () => applied.push(1)),
    ]);
    expect(applied).toEqual([2]);
    expect(outcomes[1]).toEqual({ stale: true });
  });

  it('a redelivery of the same order is applied again (the connector converges)', async () => {
    const sequence = new OrderSequence();
    let calls = 0;
    await sequence.run(modified, async () => calls++);
    const again = await sequence.run(modified, async () => calls++);
    expect(again).toEqual({ stale: false, result: 1 });
    expect(calls).toBe(2);
  });

  it('a failed order neither counts as applied nor holds up the next one', async () => {
    const sequence = new OrderSequence();
    await expect(
      sequence.run(deleted, async () => {
        throw new Error('directory down');
      }),
    ).rejects.toThrow('directory down');
    const outcome = await sequence.run(modified, async () => 'applied');
    expect(outcome).toEqual({ stale: false, result: 'applied' });
  });

  it('orders of other assignments, and orders without a sequence, are never stale', async () => {
    const sequence = new OrderSequence();
    await sequence.run(deleted, async () => undefined);
    expect(await sequence.run({ assignmentId: 'a-2', sequence: 0 }, async () => 'a-2')).toEqual({
      stale: false,
      result: 'a-2',
    });
    expect(await sequence.run({ assignmentId: 'a-1' }, async () => 'old service')).toEqual({
      stale: false,
      result: 'old service',
    });
  });

  it('remembers at most its capacity of assignments, forgetting the least recently applied', async () => {
    const sequence = new OrderSequence(2);
    await sequence.run({ assignmentId: 'a-1', sequence: 5 }, async () => undefined);
    await sequence.run({ assignmentId: 'a-2', sequence: 5 }, async () => undefined);
    await sequence.run({ assignmentId: 'a-3', sequence: 5 }, async () => undefined);
    expect(await sequence.run({ assignmentId: 'a-1', sequence: 1 }, async () => 'forgotten')).toEqual({
      stale: false,
      result: 'forgotten',
    });
    expect(await sequence.run({ assignmentId: 'a-3', sequence: 1 }, async () => 'kept')).toEqual({
      stale: true,
    });
  });
});
