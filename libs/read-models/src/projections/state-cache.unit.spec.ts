import type { Position, RecordedEvent } from '@prov/event-store';
import { keepAfterWrite, keptStates, StateCache } from './state-cache';

function recorded(streamName: string, revision: bigint): RecordedEvent {
  return {
    type: 'Something',
    data: {},
    streamName,
    revision,
    position: '' as Position,
    id: `${streamName}-${revision}`,
    metadata: {},
    createdAt: new Date(),
  };
}

describe('the states the live projector keeps', () => {
  it('lets the least recently used state go beyond its capacity, a state folded onto counting as used', () => {
    const cache = new StateCache<string>(2);
    cache.keep('a', { state: 'a0', revision: 0n });
    cache.keep('b', { state: 'b0', revision: 0n });
    expect(cache.get('a')).toEqual({ state: 'a0', revision: 0n });
    cache.keep('c', { state: 'c0', revision: 0n });

    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.state).toBe('a0');
    expect(cache.size).toBe(2);
  });

  it("given a batch, then kept streams fold onto their state and only the others' events are read", () => {
    const cache = new StateCache<string>();
    cache.keep('1', { state: 'one', revision: 4n });
    const events = [recorded('x-1', 5n), recorded('x-2', 0n), recorded('x-1', 6n)];

    const { kept, toRead } = keptStates(events, 'x-', cache);

    expect([...kept]).toEqual([['1', { state: 'one', revision: 4n }]]);
    expect(toRead.map((event) => event.id)).toEqual(['x-2-0']);
    expect(keptStates(events, 'x-', undefined).toRead).toHaveLength(3);
  });

  it('after a write, keeps the written state over the one the fold started from', () => {
    const cache = new StateCache<string>();
    const stored = new Map([
      ['1', { state: 'one', revision: 4n }],
      ['2', { state: 'two', revision: 1n }],
    ]);

    keepAfterWrite(cache, stored, [{ id: '1', state: 'one later', revision: 6n }])();

    expect(cache.get('1')).toEqual({ state: 'one later', revision: 6n });
    expect(cache.get('2')).toEqual({ state: 'two', revision: 1n });
  });
});
