/**
 * Contract: the checkpoint store and runCatchUpSubscription, including a restart of the store
 * (close it, open the same data again through the factory).
 */
import { randomUUID } from 'node:crypto';
import { CatchUpSubscriptionError, runCatchUpSubscription } from '../../core/catch-up-subscription';
import { comparePositions } from '../../core/position';
import type { RecordedEvent } from '../../core/types';
import {
  type ContractContext,
  SLOW,
  eventually,
  newEvent,
  newEvents,
  sleep,
  uniquePrefix,
  withTimeout,
} from './helpers';

export function catchUpContract(ctx: ContractContext): void {
  const fixture = () => ctx.fixture();

  describe('CheckpointStore', () => {
    it('loads undefined for an unknown subscription, then what was stored last', async () => {
      const { store, checkpoints } = fixture();
      const id = `checkpoint-${randomUUID()}`;
      expect(await checkpoints.load(id)).toBeUndefined();
      const [first, second] = await Promise.all([
        store.appendToStream(`${uniquePrefix('cp')}a`, [newEvent()]),
        store.appendToStream(`${uniquePrefix('cp')}b`, [newEvent()]),
      ]);
      await checkpoints.store(id, first.position);
      expect(await checkpoints.load(id)).toBe(first.position);
      await checkpoints.store(id, second.position);
      expect(await checkpoints.load(id)).toBe(second.position);
    });
  });

  describe('runCatchUpSubscription', () => {
    it(
      'resumes after its stored checkpoint when the store is restarted',
      async () => {
        const prefix = uniquePrefix('resume');
        const subscriptionId = `resume-${randomUUID()}`;
        const filter = { streamNamePrefixes: [prefix] };
        const first = await ctx.factory({ fresh: true });
        const handled: RecordedEvent[] = [];
        try {
          await first.store.appendToStream(`${prefix}s`, newEvents(3, 'Before'));
          const running = runCatchUpSubscription({
            store: first.store,
            checkpoints: first.checkpoints,
            subscriptionId,
            filter,
            pollIntervalMs: 50,
            handle: (event) => void handled.push(event),
          });
          await eventually(() => handled.length === 3, 'three events were handled');
          await running.close();
          await running.done;
          expect(await first.checkpoints.load(subscriptionId)).toBe(handled[2].position);
          await first.store.appendToStream(`${prefix}s`, newEvents(2, 'WhileStopped'));
        } finally {
          await first.dispose();
        }

        const second = await ctx.factory({ fresh: false });
        try {
          await second.store.appendToStream(`${prefix}t`, [newEvent('AfterRestart')]);
          const resumed: RecordedEvent[] = [];
          const running = runCatchUpSubscription({
            store: second.store,
            checkpoints: second.checkpoints,
            subscriptionId,
            filter,
            pollIntervalMs: 50,
            handle: (event) => void resumed.push(event),
          });
          await eventually(() => resumed.length >= 3, 'the events after the checkpoint were handled');
          await sleep(150); // give a wrongly replayed event the chance to show up
          await running.close();
          expect(resumed.map((e) => e.type)).toEqual(['WhileStopped', 'WhileStopped', 'AfterRestart']);
          expect(await second.checkpoints.load(subscriptionId)).toBe(resumed[2].position);
        } finally {
          await second.dispose();
        }
      },
      SLOW,
    );

    it(
      'handles one event at a time, in order',
      async () => {
        const { store, checkpoints } = fixture();
        const prefix = uniquePrefix('serial');
        await store.appendToStream(`${prefix}s`, newEvents(10));
        let active = 0;
        let maxActive = 0;
        const seen: number[] = [];
        const running = runCatchUpSubscription({
          store,
          checkpoints,
          subscriptionId: `serial-${randomUUID()}`,
          filter: { streamNamePrefixes: [prefix] },
          pollIntervalMs: 50,
          handle: async (event) => {
            active += 1;
            maxActive = Math.max(maxActive, active);
            await sleep(5);
            seen.push((event.data as { n: number }).n);
            active -= 1;
          },
        });
        await eventually(() => seen.length === 10, 'ten events were handled');
        await running.close();
        expect(maxActive).toBe(1);
        expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      },
      SLOW,
    );

    it(
      'stores checkpoints across a long run of filtered-out events',
      async () => {
        const { store, checkpoints } = fixture();
        const prefix = uniquePrefix('filtered');
        const subscriptionId = `filtered-${randomUUID()}`;
        const running = runCatchUpSubscription({
          store,
          checkpoints,
          subscriptionId,
          filter: { streamNamePrefixes: [`${prefix}wanted`] },
          pollIntervalMs: 50,
          filteredCheckpointIntervalMs: 0,
          handle: () => {
            throw new Error('nothing should match');
          },
        });
        try {
          const last = await store.appendToStream(`${prefix}other`, newEvents(50));
          await eventually(async () => {
            const stored = await checkpoints.load(subscriptionId);
            return stored !== undefined && comparePositions(stored, last.position) >= 0;
          }, 'the checkpoint moved past the filtered-out events');
        } finally {
          await running.close();
        }
      },
      SLOW,
    );

    it(
      'stops on a handler error without checkpointing the failed event',
      async () => {
        const { store, checkpoints } = fixture();
        const prefix = uniquePrefix('failing');
        const subscriptionId = `failing-${randomUUID()}`;
        const [ok] = await Promise.all([store.appendToStream(`${prefix}s`, [newEvent('Fine')])]);
        await store.appendToStream(`${prefix}s`, [newEvent('Poison'), newEvent('Fine')]);
        const running = runCatchUpSubscription({
          store,
          checkpoints,
          subscriptionId,
          filter: { streamNamePrefixes: [prefix] },
          pollIntervalMs: 50,
          handle: (event) => {
            if (event.type === 'Poison') throw new Error('cannot handle poison');
          },
        });
        const error = await withTimeout(
          running.done.then(
            () => undefined,
            (e: unknown) => e,
          ),
          20_000,
          () => 'the subscription did not stop',
        );
        expect(error).toBeInstanceOf(CatchUpSubscriptionError);
        expect((error as CatchUpSubscriptionError).event?.type).toBe('Poison');
        expect((error as Error).message).toContain('cannot handle poison');
        expect(await checkpoints.load(subscriptionId)).toBe(ok.position);
      },
      SLOW,
    );
  });

  describe('close()', () => {
    it(
      'ends the subscriptions of the store',
      async () => {
        const own = await ctx.factory({ fresh: true });
        const subscription = own.store.subscribeToAll({ pollIntervalMs: 50 });
        const consumer = (async () => {
          for await (const event of subscription) void event;
        })();
        await sleep(50);
        await own.dispose();
        await withTimeout(consumer, 5_000, () => 'the subscription outlived its store');
      },
      SLOW,
    );
  });
}
