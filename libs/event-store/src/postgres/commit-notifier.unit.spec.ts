import type { Pool } from 'pg';
import { CommitNotifier } from './commit-notifier';

/** A pool whose queries stay open until released, recording what was sent. */
function heldPool(fail = false) {
  const sent: unknown[][] = [];
  const release: Array<() => void> = [];
  const pool = {
    query: (statement: { values: unknown[] }) =>
      new Promise((resolve, reject) => {
        sent.push(statement.values);
        release.push(() => (fail ? reject(new Error('connection lost')) : resolve({ rows: [] })));
      }),
  } as unknown as Pool;
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { pool, sent, release, settle };
}

describe('CommitNotifier', () => {
  it('sends a wake-up at once when none is on its way', () => {
    const held = heldPool();
    new CommitNotifier(held.pool, 'es_events').committed();
    expect(held.sent).toEqual([['es_events']]);
  });

  it('covers the commits acknowledged during a wake-up with one more, sent after it', async () => {
    const held = heldPool();
    const notifier = new CommitNotifier(held.pool, 'es_events');
    notifier.committed();
    notifier.committed();
    notifier.committed();
    expect(held.sent).toHaveLength(1);
    held.release[0]();
    await held.settle();
    expect(held.sent).toHaveLength(2);
    held.release[1]();
    await held.settle();
    expect(held.sent).toHaveLength(2);
    // Idle again: the next commit sends at once.
    notifier.committed();
    expect(held.sent).toHaveLength(3);
    held.release[2]();
    await notifier.close();
  });

  it('survives a failed wake-up and sends the next one', async () => {
    const held = heldPool(true);
    const notifier = new CommitNotifier(held.pool, 'es_events');
    notifier.committed();
    held.release[0]();
    await notifier.close();
    notifier.committed();
    expect(held.sent).toHaveLength(2);
    held.release[1]();
    await notifier.close();
  });
});
