/** Contract: subscribeToAll (catch-up, then live), closing, and progress across filtered-out events. */
import { comparePositions, type Position } from '../../core/position';
import type { RecordedEvent } from '../../core/types';
import {
  type ContractContext,
  SLOW,
  eventually,
  newEvent,
  newEvents,
  take,
  uniquePrefix,
  withTimeout,
} from './helpers';

export function subscriptionContract(ctx: ContractContext): void {
  const store = () => ctx.fixture().store;

  describe('subscribeToAll', () => {
    it(
      'delivers what is already in the log, then events appended after it started',
      async () => {
        const prefix = uniquePrefix('sub');
        const early = newEvents(3, 'Early');
        await store().appendToStream(`${prefix}a`, early);
        const subscription = store().subscribeToAll({
          filter: { streamNamePrefixes: [prefix] },
          pollIntervalMs: 50,
        });
        try {
          const caughtUp = await take(subscription, 3);
          expect(caughtUp.map((e) => e.id)).toEqual(early.map((e) => e.id));
          const late = [newEvent('Late'), newEvent('Late')];
          await store().appendToStream(`${prefix}b`, [late[0]]);
          await store().appendToStream(`${prefix}a`, [late[1]]);
          const live = await take(subscription, 2);
          expect(live.map((e) => e.id)).toEqual(late.map((e) => e.id));
          expect(comparePositions(caughtUp[2].position, live[0].position)).toBe(-1);
        } finally {
          await subscription.close();
        }
      },
      SLOW,
    );

    it(
      'starts after the given position',
      async () => {
        const prefix = uniquePrefix('sub');
        const results = [];
        for (const event of newEvents(4)) results.push(await store().appendToStream(`${prefix}s`, [event]));
        const subscription = store().subscribeToAll({
          after: results[1].position,
          filter: { streamNamePrefixes: [prefix] },
          pollIntervalMs: 50,
        });
        try {
          const events = await take(subscription, 2);
          expect(events.map((e) => e.position)).toEqual([results[2].position, results[3].position]);
        } finally {
          await subscription.close();
        }
      },
      SLOW,
    );

    it(
      'applies event-type filters',
      async () => {
        const prefix = uniquePrefix('sub');
        const subscription = store().subscribeToAll({
          filter: { streamNamePrefixes: [prefix], eventTypes: ['Wanted'] },
          pollIntervalMs: 50,
        });
        try {
          await store().appendToStream(`${prefix}s`, [newEvent('Unwanted'), newEvent('Wanted', { n: 1 })]);
          await store().appendToStream(`${prefix}t`, [newEvent('Unwanted'), newEvent('Wanted', { n: 2 })]);
          const events = await take(subscription, 2);
          expect(events.map((e) => [e.type, e.data])).toEqual([
            ['Wanted', { n: 1 }],
            ['Wanted', { n: 2 }],
          ]);
        } finally {
          await subscription.close();
        }
      },
      SLOW,
    );

    it(
      'ends the iteration of a consumer that is waiting when close() is called',
      async () => {
        const prefix = uniquePrefix('sub');
        const subscription = store().subscribeToAll({
          filter: { streamNamePrefixes: [prefix] },
          pollIntervalMs: 50,
        });
        const received: RecordedEvent[] = [];
        const consumer = (async () => {
          for await (const event of subscription) received.push(event);
        })();
        await store().appendToStream(`${prefix}s`, [newEvent()]);
        await eventually(() => received.length === 1, 'the event arrived');
        await subscription.close();
        await withTimeout(consumer, 5_000, () => 'the for-await loop did not end after close()');
        expect(received).toHaveLength(1);
      },
      SLOW,
    );

    it(
      'reports checkpoints while its filter drops a long run of other events',
      async () => {
        const prefix = uniquePrefix('sub');
        const checkpoints: Position[] = [];
        const subscription = store().subscribeToAll({
          after: (await store().appendToStream(`${prefix}start`, [newEvent()])).position,
          filter: { streamNamePrefixes: [`${prefix}wanted`] },
          pollIntervalMs: 50,
          onCheckpoint: (position) => {
            checkpoints.push(position);
          },
        });
        const consumer = (async () => {
          for await (const event of subscription) throw new Error(`unexpected ${event.type}`);
        })();
        try {
          let last: Position | undefined;
          for (let index = 0; index < 3; index += 1) {
            last = (await store().appendToStream(`${prefix}other`, newEvents(20))).position;
          }
          await eventually(
            () => checkpoints.some((position) => comparePositions(position, last!) >= 0),
            'a checkpoint reached the last filtered-out event',
          );
        } finally {
          await subscription.close();
          await consumer;
        }
      },
      SLOW,
    );
  });
}
