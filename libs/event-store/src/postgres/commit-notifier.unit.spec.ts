import type { Pool } from 'pg';
import { decodeAnnouncement } from '../core/subscription-wake-ups';
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
    expect(held.sent).toEqual([['es_events', '']]);
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

  it('announces the event types and stream categories of the commits each wake-up covers', async () => {
    const held = heldPool();
    const notifier = new CommitNotifier(held.pool, 'es_events');
    notifier.committed([{ streamName: 'identity-1', events: [{ type: 'IdentityUpdated' }] }]);
    notifier.committed([{ streamName: 'assignment-1', events: [{ type: 'AssignmentRequested' }] }]);
    notifier.committed([{ streamName: 'assignment-2', events: [{ type: 'AssignmentRevoked' }] }]);
    held.release[0]();
    await held.settle();
    expect(held.sent.map((values) => decodeAnnouncement(values[1] as string))).toEqual([
      { types: ['IdentityUpdated'], categories: ['identity-'] },
      { types: ['AssignmentRequested', 'AssignmentRevoked'], categories: ['assignment-'] },
    ]);
    // A commit it cannot describe wakes everyone.
    notifier.committed();
    held.release[1]();
    await held.settle();
    expect(held.sent[2]).toEqual(['es_events', '']);
    held.release[2]();
    await notifier.close();
  });

  describe('pacing (ADR 0050)', () => {
    beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
    afterEach(() => jest.useRealTimers());

    /** Commits one group, and lets the wake-up it caused (if any) complete. */
    async function commitAndSettle(held: ReturnType<typeof heldPool>, notifier: CommitNotifier) {
      notifier.committed();
      while (held.release.length > 0) held.release.shift()!();
      await held.settle();
    }

    it('sends the burst at once, then one wake-up per interval while commits keep coming', async () => {
      const held = heldPool();
      const notifier = new CommitNotifier(held.pool, 'es_events', { burst: 2, intervalMs: 20 });
      await commitAndSettle(held, notifier);
      await commitAndSettle(held, notifier);
      expect(held.sent).toHaveLength(2);
      // Commits keep coming: no wake-up until the interval has passed, then one for them all.
      for (let i = 0; i < 10; i++) await commitAndSettle(held, notifier);
      expect(held.sent).toHaveLength(2);
      jest.advanceTimersByTime(19);
      expect(held.sent).toHaveLength(2);
      jest.advanceTimersByTime(1);
      expect(held.sent).toHaveLength(3);
      held.release.shift()!();
      await held.settle();
      // Nothing committed since: nothing more is owed.
      jest.advanceTimersByTime(1_000);
      expect(held.sent).toHaveLength(3);
      await notifier.close();
    });

    it('sends at once again after a quiet spell', async () => {
      const held = heldPool();
      const notifier = new CommitNotifier(held.pool, 'es_events', { burst: 1, intervalMs: 20 });
      await commitAndSettle(held, notifier);
      jest.advanceTimersByTime(20);
      notifier.committed();
      expect(held.sent).toHaveLength(2);
      held.release.shift()!();
      await notifier.close();
    });

    it('sends an owed wake-up at close without waiting for the pacing', async () => {
      const held = heldPool();
      const notifier = new CommitNotifier(held.pool, 'es_events', { burst: 1, intervalMs: 60_000 });
      await commitAndSettle(held, notifier);
      notifier.committed();
      expect(held.sent).toHaveLength(1);
      const closed = notifier.close();
      expect(held.sent).toHaveLength(2);
      held.release.shift()!();
      await closed;
    });
  });
});
