/** Contract: the global log ($all): order, exclusive `after`, filters, progress across filtered-out events. */
import { comparePositions, type Position } from '../../core/position';
import { FILTERED_SCAN_WINDOW } from '../../core/filter';
import type { AppendResult, EventFilter } from '../../core/types';
import { type ContractContext, newEvent, newEvents, readAllThrough, SLOW, uniquePrefix } from './helpers';

export function globalLogContract(ctx: ContractContext): void {
  const store = () => ctx.fixture().store;

  /** Writes a small mixed log under a fresh prefix: two stream families, three event types. */
  async function writeMixedLog(): Promise<{ prefix: string; results: AppendResult[]; expected: string[] }> {
    const prefix = uniquePrefix('log');
    const results: AppendResult[] = [];
    const expected: string[] = [];
    const plan: Array<[string, string]> = [
      ['user-1', 'UserCreated'],
      ['order-1', 'OrderPlaced'],
      ['user-2', 'UserCreated'],
      ['user-1', 'UserRenamed'],
      ['order-1', 'OrderShipped'],
      ['order-2', 'OrderPlaced'],
      ['user-2', 'AuditNoted'],
    ];
    for (const [stream, type] of plan) {
      results.push(await store().appendToStream(`${prefix}${stream}`, [newEvent(type, { stream })]));
      expected.push(`${stream}:${type}`);
    }
    return { prefix, results, expected };
  }

  async function read(prefix: string, until: Position, filter?: EventFilter): Promise<string[]> {
    const { events } = await readAllThrough(store(), until, {
      filter: { streamNamePrefixes: [prefix], ...filter },
      pageSize: 3,
    });
    return events.map((e) => `${e.streamName.slice(prefix.length)}:${e.type}`);
  }

  describe('readAll', () => {
    it('returns events in commit order with strictly increasing positions', async () => {
      const { prefix, results, expected } = await writeMixedLog();
      const { events } = await readAllThrough(store(), results.at(-1)!.position, {
        filter: { streamNamePrefixes: [prefix] },
        pageSize: 2,
      });
      expect(events.map((e) => `${e.streamName.slice(prefix.length)}:${e.type}`)).toEqual(expected);
      expect(events.map((e) => e.position)).toEqual(results.map((r) => r.position));
      for (let index = 1; index < results.length; index += 1) {
        expect(comparePositions(results[index - 1].position, results[index].position)).toBe(-1);
        expect(comparePositions(results[index].position, results[index - 1].position)).toBe(1);
      }
      expect(comparePositions(results[0].position, results[0].position)).toBe(0);
    });

    it('treats `after` as exclusive', async () => {
      const { results } = await writeMixedLog();
      const { events } = await readAllThrough(store(), results[3].position, { after: results[2].position });
      expect(events[0].position).toBe(results[3].position);
    });

    it('filters by stream-name prefix', async () => {
      const { prefix, results } = await writeMixedLog();
      const until = results.at(-1)!.position;
      expect(await read(prefix, until, { streamNamePrefixes: [`${prefix}order-`] })).toEqual([
        'order-1:OrderPlaced',
        'order-1:OrderShipped',
        'order-2:OrderPlaced',
      ]);
      expect(
        await read(prefix, until, { streamNamePrefixes: [`${prefix}user-2`, `${prefix}order-2`] }),
      ).toEqual(['user-2:UserCreated', 'order-2:OrderPlaced', 'user-2:AuditNoted']);
    });

    it('filters by event type and by event-type prefix, together with a stream prefix', async () => {
      const { prefix, results } = await writeMixedLog();
      const until = results.at(-1)!.position;
      expect(await read(prefix, until, { eventTypes: ['UserCreated'] })).toEqual([
        'user-1:UserCreated',
        'user-2:UserCreated',
      ]);
      expect(await read(prefix, until, { eventTypePrefixes: ['Order'] })).toEqual([
        'order-1:OrderPlaced',
        'order-1:OrderShipped',
        'order-2:OrderPlaced',
      ]);
      expect(
        await read(prefix, until, { eventTypes: ['AuditNoted'], eventTypePrefixes: ['UserRen'] }),
      ).toEqual(['user-1:UserRenamed', 'user-2:AuditNoted']);
    });

    it('moves lastPosition past events the filter drops, so a reader can checkpoint', async () => {
      const prefix = uniquePrefix('skip');
      const wanted = await store().appendToStream(`${prefix}wanted`, [newEvent('Wanted')]);
      let last = wanted;
      for (let index = 0; index < 30; index += 1) {
        last = await store().appendToStream(`${prefix}other-${index % 3}`, [newEvent('Other')]);
      }
      // readAllThrough only returns once lastPosition has reached the last, filtered-out event.
      const { events, lastPosition } = await readAllThrough(store(), last.position, {
        after: wanted.position,
        filter: { streamNamePrefixes: [`${prefix}wanted`] },
        pageSize: 5,
      });
      expect(events).toEqual([]);
      expect(lastPosition).toBe(last.position);
    });

    it(
      'reads on past a scan window the filter dropped whole: the page is empty but not the end',
      async () => {
        const prefix = uniquePrefix('window');
        const start = await store().appendToStream(`${prefix}start`, [newEvent('Start')]);
        await store().appendToStream(`${prefix}other`, newEvents(FILTERED_SCAN_WINDOW + 1, 'Other'));
        const kept = await store().appendToStream(`${prefix}wanted`, [newEvent('Wanted')]);
        // Every event visible to readers first (a store may hold the log's tail back for a while).
        await readAllThrough(store(), kept.position, { after: start.position, pageSize: 5000 });
        const filter = { streamNamePrefixes: [`${prefix}wanted`] };
        const first = await store().readAll({ after: start.position, maxCount: 10, filter });
        expect(first.events).toEqual([]);
        expect(first.isEnd).toBe(false);
        expect(first.lastPosition).toBeDefined();
        expect(comparePositions(first.lastPosition!, kept.position)).toBeLessThan(0);
        const next = await store().readAll({ after: first.lastPosition, maxCount: 10, filter });
        expect(next.events.map((e) => e.type)).toEqual(['Wanted']);
        expect(next.isEnd).toBe(true);
      },
      SLOW,
    );

    it('reports isEnd with nothing after the last event', async () => {
      const prefix = uniquePrefix('end');
      const last = await store().appendToStream(`${prefix}s`, [newEvent()]);
      const page = await store().readAll({ after: last.position, filter: { streamNamePrefixes: [prefix] } });
      expect(page.events).toEqual([]);
      expect(page.isEnd).toBe(true);
    });
  });
}
