import type { Position, RecordedEvent } from '@prov/event-store';
import { foldStreams, streamsToLookUp } from './stream-fold';

interface Counter {
  exists: boolean;
  count: number;
}
const initial = (): Counter => ({ exists: false, count: 0 });
const evolve = (state: Counter, event: { type: string }): Counter =>
  event.type === 'Gone' ? { exists: false, count: 0 } : { exists: true, count: state.count + 1 };

let position = 0;
function event(stream: string, revision: number, type = 'Counted'): RecordedEvent {
  position += 1;
  return {
    streamName: `c-${stream}`,
    revision: BigInt(revision),
    position: String(position).padStart(41, '0') as Position,
    id: `id-${position}`,
    type,
    data: {},
    metadata: {},
    createdAt: new Date(0),
  };
}

describe('foldStreams', () => {
  it('keeps the last state per row and tells rows stored before the batch from new ones', () => {
    const stored = new Map([['a', { state: { exists: true, count: 5 }, revision: 4n }]]);
    const folded = foldStreams(stored, [event('a', 5), event('b', 0), event('a', 6)], 'c-', evolve, initial);
    expect(folded.rows.map((r) => [r.id, r.state.count, r.event.revision, r.existed])).toEqual([
      ['a', 7, 6n, true],
      ['b', 1, 0n, false],
    ]);
    expect(folded.applied).toHaveLength(3);
  });

  it('skips events at or below the stored revision and events that leave the state non-existent', () => {
    const stored = new Map([['a', { state: { exists: true, count: 1 }, revision: 1n }]]);
    const folded = foldStreams(
      stored,
      [event('a', 1), event('b', 0, 'Gone'), event('b', 1)],
      'c-',
      evolve,
      initial,
    );
    expect(folded.applied.map((e) => [e.streamName, e.revision])).toEqual([['c-b', 1n]]);
    expect(folded.rows.map((r) => [r.id, r.state.count])).toEqual([['b', 1]]);
  });
});

describe('streamsToLookUp', () => {
  const events = [event('new', 0), event('old', 3), event('new', 1), event('late', 1), event('late', 0)];

  it('looks up every stream of the batch outside a bulk load', () => {
    expect(streamsToLookUp(events, 'c-', false)).toEqual(['new', 'old', 'late']);
  });

  it('in a bulk load, skips the streams whose first event in the batch is their first event ever', () => {
    expect(streamsToLookUp(events, 'c-', true)).toEqual(['old', 'late']);
  });
});
