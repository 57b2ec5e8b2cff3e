import type { BatchCommandReply } from '@prov/contracts';
import { CommandError } from '@prov/messaging';
import { Batcher, type BatcherOptions } from './batcher';

interface Sent {
  items: number[];
  answer: (reply: BatchCommandReply<string>) => void;
  fail: (error: unknown) => void;
}

/** A batch command whose answers the test gives, one sent batch at a time. */
function batcherWith(options: Partial<BatcherOptions> = {}) {
  const sent: Sent[] = [];
  const batcher = new Batcher<number, string>(
    (items) => new Promise((resolve, reject) => sent.push({ items, answer: resolve, fail: reject })),
    { maxItems: 64, maxBytes: 1 << 20, maxInFlight: 1, subject: 'prov.cmd.orders.report-batch', ...options },
  );
  return { batcher, sent };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const doubled = (items: number[]): BatchCommandReply<string> => ({
  results: items.map((n) => ({ value: `r${n}` })),
});

describe('Batcher: items that come close together go as one batch command', () => {
  it('sends an item alone on the next turn when nothing is in flight', async () => {
    const { batcher, sent } = batcherWith();
    const one = batcher.submit(1);
    await turn();
    expect(sent.map((s) => s.items)).toEqual([[1]]);
    sent[0].answer(doubled([1]));
    await expect(one).resolves.toBe('r1');
  });

  it('gathers the items that come while a batch is out into the next one, in order', async () => {
    const { batcher, sent } = batcherWith();
    const first = batcher.submit(1);
    await turn();
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    await turn();
    expect(sent).toHaveLength(1);
    sent[0].answer(doubled([1]));
    await first;
    await turn();
    expect(sent.map((s) => s.items)).toEqual([[1], [2, 3, 4]]);
    sent[1].answer(doubled([2, 3, 4]));
    await expect(Promise.all(later)).resolves.toEqual(['r2', 'r3', 'r4']);
  });

  it('keeps up to maxInFlight batches out and within maxItems and maxBytes per batch', async () => {
    const { batcher, sent } = batcherWith({ maxInFlight: 2, maxItems: 3, maxBytes: 4 });
    // Each item is one JSON byte: three items per batch, the byte bound (4) is not reached.
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9]) void batcher.submit(n);
    await turn();
    expect(sent.map((s) => s.items)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    sent[0].answer(doubled(sent[0].items));
    await turn();
    expect(sent.map((s) => s.items)[2]).toEqual([7, 8, 9]);
  });

  it('answers each item with its own error, and every item with the error of a failed batch', async () => {
    const { batcher, sent } = batcherWith({ maxInFlight: 1 });
    const ok = batcher.submit(1);
    const refused = batcher.submit(2);
    const missing = batcher.submit(3);
    await turn();
    sent[0].answer({
      results: [
        { value: 'r1' },
        { error: { code: 'ValidationFailed', status: 400, message: 'attempt: must be ≥ 1' } },
      ],
    });
    await expect(ok).resolves.toBe('r1');
    await expect(refused).rejects.toMatchObject({
      name: 'CommandError',
      status: 400,
      code: 'ValidationFailed',
    });
    await expect(missing).rejects.toMatchObject({
      status: 500,
      message: expect.stringMatching(/no result for item 2/),
    });

    const a = batcher.submit(4);
    const b = batcher.submit(5);
    await turn();
    const timeout = CommandError.of('CommandTimeout', 504, 'no answer');
    sent[1].fail(timeout);
    await expect(a).rejects.toBe(timeout);
    await expect(b).rejects.toBe(timeout);
  });
});
