import { GroupCommit, type Outcome, takeGroup } from './group-commit';

describe('takeGroup', () => {
  const items = (...weights: number[]) => weights.map((weight, id) => ({ id, weight }));

  it('takes items from the head up to the weight limit', () => {
    const queue = items(3, 3, 3, 3);
    expect(takeGroup(queue, 7).map((i) => i.id)).toEqual([0, 1]);
    expect(queue.map((i) => i.id)).toEqual([2, 3]);
  });

  it('takes no more items than maxItems, however light', () => {
    const queue = items(1, 1, 1, 1, 1);
    expect(takeGroup(queue, 100, 2).map((i) => i.id)).toEqual([0, 1]);
    expect(takeGroup(queue, 100).map((i) => i.id)).toEqual([2, 3, 4]);
  });

  it('lets one item heavier than the limit leave alone rather than never', () => {
    const queue = items(50, 1);
    expect(takeGroup(queue, 10).map((i) => i.id)).toEqual([0]);
  });
});

describe('GroupCommit', () => {
  /** A runner whose calls stay open until released, recording the groups it was given. */
  function heldRunner() {
    const groups: number[][] = [];
    const release: Array<() => void> = [];
    const run = (group: number[]) =>
      new Promise<Outcome<string>[]>((resolve) => {
        groups.push(group);
        release.push(() =>
          resolve(
            group.map((n) =>
              n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: `ok ${n}` },
            ),
          ),
        );
      });
    return { groups, release, run };
  }

  /** The end of the event loop's turn: the group commit has drained what the turn submitted. */
  const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('sends a lone item at the end of its turn and groups what arrives while the slots are busy', async () => {
    const runner = heldRunner();
    const commit = new GroupCommit(runner.run, { maxInFlight: 1, maxWeight: 100 });
    const first = commit.submit(1);
    await endOfTurn();
    const rest = [2, 3, 4].map((n) => commit.submit(n));
    await endOfTurn();
    expect(runner.groups).toEqual([[1]]);
    runner.release[0]();
    await expect(first).resolves.toBe('ok 1');
    await Promise.resolve();
    expect(runner.groups).toEqual([[1], [2, 3, 4]]);
    runner.release[1]();
    await expect(Promise.all(rest)).resolves.toEqual(['ok 2', 'ok 3', 'ok 4']);
  });

  it('given free slots, items submitted in one turn leave as one group, not the first ones alone', async () => {
    const runner = heldRunner();
    const commit = new GroupCommit(runner.run, { maxInFlight: 4, maxWeight: 100 });
    const all = [1, 2, 3, 4, 5].map((n) => commit.submit(n));
    await endOfTurn();
    expect(runner.groups).toEqual([[1, 2, 3, 4, 5]]);
    runner.release[0]();
    await expect(Promise.all(all)).resolves.toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4', 'ok 5']);
  });

  it('fails only the item whose outcome is an error', async () => {
    const runner = heldRunner();
    const commit = new GroupCommit(runner.run, { maxInFlight: 1, maxWeight: 100 });
    const blocker = commit.submit(0);
    await endOfTurn();
    const group = [5, -6, 7].map((n) => commit.submit(n));
    await endOfTurn();
    runner.release[0]();
    await blocker;
    await Promise.resolve();
    runner.release[1]();
    const settled = await Promise.allSettled(group);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('bad -6'));
  });

  it('rejects every item of a group whose runner fails, and keeps serving later items', async () => {
    let calls = 0;
    const commit = new GroupCommit<number, number>(
      async (group) => {
        calls += 1;
        if (calls === 1) throw new Error('connection lost');
        return group.map((n) => ({ ok: true, value: n * 2 }));
      },
      { maxInFlight: 2, maxWeight: 100 },
    );
    await expect(commit.submit(1)).rejects.toThrow('connection lost');
    await expect(commit.submit(2)).resolves.toBe(4);
  });

  it('keeps at most maxInFlight groups on their way', async () => {
    const runner = heldRunner();
    const commit = new GroupCommit(runner.run, { maxInFlight: 2, maxWeight: 100 });
    const all: Promise<string>[] = [];
    for (const n of [1, 2]) {
      all.push(commit.submit(n));
      await endOfTurn();
    }
    all.push(...[3, 4].map((n) => commit.submit(n)));
    await endOfTurn();
    expect(runner.groups).toEqual([[1], [2]]);
    runner.release[0]();
    await all[0];
    await Promise.resolve();
    expect(runner.groups).toEqual([[1], [2], [3, 4]]);
    runner.release[1]();
    runner.release[2]();
    await Promise.all(all);
  });

  describe('with a rest after each run', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    /** A runner whose every call takes `ms` of (fake) time, recording the groups it was given. */
    function timedRunner(ms: number) {
      const groups: number[][] = [];
      const run = async (group: number[]) => {
        groups.push(group);
        await new Promise((resolve) => setTimeout(resolve, ms));
        return group.map((n): Outcome<number> => ({ ok: true, value: n * 2 }));
      };
      return { groups, run };
    }

    it('answers a group when its run ends, and keeps the slot as long as restAfter says', async () => {
      const runner = timedRunner(100);
      const restAfter = jest.fn((runMs: number) => runMs / 2);
      const commit = new GroupCommit(runner.run, { maxInFlight: 1, maxWeight: 10, restAfter });
      const first = commit.submit(1);
      await jest.advanceTimersByTimeAsync(100);
      await expect(first).resolves.toBe(2);
      expect(restAfter).toHaveBeenCalledWith(100);
      const later = [commit.submit(2), commit.submit(3)];
      await jest.advanceTimersByTimeAsync(49);
      expect(runner.groups).toEqual([[1]]);
      expect(commit.idle).toBe(false);
      // The rest ends; what came during it leaves as one group at the end of that turn (a fake
      // clock runs an immediate set by a timer only once it moves on).
      await jest.advanceTimersByTimeAsync(2);
      expect(runner.groups).toEqual([[1], [2, 3]]);
      await jest.advanceTimersByTimeAsync(100);
      await expect(Promise.all(later)).resolves.toEqual([4, 6]);
    });

    it('ends the rest at once when a whole group is waiting', async () => {
      const runner = timedRunner(100);
      const commit = new GroupCommit(runner.run, { maxInFlight: 1, maxWeight: 2, restAfter: () => 1_000 });
      const first = commit.submit(1);
      await jest.advanceTimersByTimeAsync(100);
      await first;
      commit.submit(2);
      await jest.advanceTimersByTimeAsync(10);
      expect(runner.groups).toEqual([[1]]);
      const whole = commit.submit(3);
      await jest.advanceTimersByTimeAsync(0);
      expect(runner.groups).toEqual([[1], [2, 3]]);
      await jest.advanceTimersByTimeAsync(100);
      await expect(whole).resolves.toBe(6);
    });

    it('does not rest after a run that left a whole group waiting', async () => {
      const runner = timedRunner(100);
      const commit = new GroupCommit(runner.run, { maxInFlight: 1, maxWeight: 2, restAfter: () => 1_000 });
      const all = [commit.submit(1)];
      await jest.advanceTimersByTimeAsync(0);
      all.push(commit.submit(2), commit.submit(3));
      await jest.advanceTimersByTimeAsync(100);
      expect(runner.groups).toEqual([[1], [2, 3]]);
      await jest.advanceTimersByTimeAsync(100);
      await expect(Promise.all(all)).resolves.toEqual([2, 4, 6]);
    });

    it('is idle, and says so once, only when the rest after the last run is over', async () => {
      const runner = timedRunner(100);
      const onIdle = jest.fn();
      const commit = new GroupCommit(runner.run, {
        maxInFlight: 1,
        maxWeight: 10,
        restAfter: () => 30,
        onIdle,
      });
      const only = commit.submit(1);
      await jest.advanceTimersByTimeAsync(100);
      await only;
      expect(commit.idle).toBe(false);
      expect(onIdle).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(31);
      expect(commit.idle).toBe(true);
      expect(onIdle).toHaveBeenCalledTimes(1);
    });
  });
});
