import { forEachInFlight, runsOf } from './complete-job.in-flight';

/** Items handed out one at a time, counting how many were pulled. */
function source(count: number) {
  const pulled = { n: 0 };
  async function* items() {
    for (let i = 0; i < count; i++) {
      pulled.n++;
      yield i;
    }
  }
  return { items: items(), pulled };
}

/** A promise settled from outside, for work that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('forEachInFlight', () => {
  it('works on every item, never more than the limit at once, pulling an item only when a slot is free', async () => {
    const { items, pulled } = source(50);
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachInFlight(items, 4, async (item) => {
      running++;
      most = Math.max(most, running);
      // The scan is not read ahead of the work: at most the running items and the one pulled next.
      expect(pulled.n).toBeLessThanOrEqual(done.length + 4);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      done.push(item);
    });
    expect(most).toBe(4);
    expect([...done].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('stops pulling at the first failure, waits for the work started, and throws that failure', async () => {
    const { items, pulled } = source(100);
    const slow = gate();
    let finished = 0;
    const run = forEachInFlight(items, 3, async (item) => {
      if (item === 1) throw new Error('item 1 failed');
      if (item === 0) await slow.opened;
      finished++;
    });
    await new Promise((resolve) => setImmediate(resolve));
    slow.open();
    await expect(run).rejects.toThrow('item 1 failed');
    expect(pulled.n).toBeLessThan(10);
    // Item 0, started before the failure, was awaited.
    expect(finished).toBeGreaterThanOrEqual(1);
  });
});

describe('runsOf', () => {
  async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
    const all: T[] = [];
    for await (const item of items) all.push(item);
    return all;
  }
  async function* from<T>(values: T[]) {
    yield* values;
  }

  it('groups consecutive items by key, a key with more items than a run holds in several runs', async () => {
    const rows = ['a', 'a', 'b', 'c', 'c', 'c', 'c', 'c', 'a'].map((key, i) => ({ key, i }));
    const runs = await collect(runsOf(from(rows), (row) => row.key, 3));
    expect(runs.map((run) => [run.key, run.items.map((row) => row.i)])).toEqual([
      ['a', [0, 1]],
      ['b', [2]],
      ['c', [3, 4, 5]],
      ['c', [6, 7]],
      ['a', [8]],
    ]);
  });

  it('gives nothing for nothing', async () => {
    expect(await collect(runsOf(from([]), String, 5))).toEqual([]);
  });
});

describe('the evaluation scan (runsOf inside forEachInFlight, ADR 0048/0056)', () => {
  /** Assignments of identities holding 1 to 60 each, in identity order, as the keyset scan gives them. */
  async function* scan(assignments: number, pulled: { n: number }) {
    let identity = 0;
    for (let i = 0; i < assignments; identity++) {
      for (let k = 0; k < 1 + ((identity * 7) % 60) && i < assignments; k++, i++) {
        pulled.n++;
        yield { identityId: `identity-${identity}`, assignmentId: `assignment-${i}` };
      }
    }
  }

  /** The most assignments pulled from the scan and not yet evaluated, at any moment. */
  async function mostHeld(assignments: number, identitiesInFlight: number, perRead: number) {
    const pulled = { n: 0 };
    let evaluated = 0;
    let most = 0;
    const runs = runsOf(scan(assignments, pulled), (a) => a.identityId, perRead);
    await forEachInFlight(runs, identitiesInFlight, async ({ items }) => {
      most = Math.max(most, pulled.n - evaluated);
      await new Promise((resolve) => setImmediate(resolve));
      evaluated += items.length;
    });
    expect(evaluated).toBe(assignments);
    return most;
  }

  it('never holds more than the runs in flight and the one assignment that ends the next run, however large the store', async () => {
    // The evaluation's settings: 4 identities in flight, 25 assignments a read.
    const bound = 4 * 25 + 1;
    const small = await mostHeld(2_000, 4, 25);
    const large = await mostHeld(50_000, 4, 25);
    expect(small).toBeLessThanOrEqual(bound);
    expect(large).toBeLessThanOrEqual(bound);
    expect(large).toBe(small);
  });
});
