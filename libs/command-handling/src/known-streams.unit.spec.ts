import { KnownStreams } from './known-streams';

describe('KnownStreams', () => {
  it('keeps the newer of what it knows, whatever order reads and appends finish in', () => {
    const known = new KnownStreams<string>(10);
    known.remember('s-1', { state: 'at 3', revision: 3n });
    known.remember('s-1', { state: 'at 2', revision: 2n });
    expect(known.get('s-1')).toEqual({ state: 'at 3', revision: 3n });
    known.remember('s-1', { state: 'at 4', revision: 4n });
    expect(known.get('s-1')).toEqual({ state: 'at 4', revision: 4n });
  });

  it('does not remember a stream that does not exist', () => {
    const known = new KnownStreams<string>(10);
    known.remember('s-1', { state: 'initial', revision: undefined });
    expect(known.get('s-1')).toBeUndefined();
    expect(known.size).toBe(0);
  });

  it('forgets the least recently remembered stream beyond its capacity', () => {
    const known = new KnownStreams<string>(2);
    known.remember('s-1', { state: 'a', revision: 0n });
    known.remember('s-2', { state: 'b', revision: 0n });
    known.remember('s-1', { state: 'a2', revision: 1n });
    known.remember('s-3', { state: 'c', revision: 0n });
    expect(known.get('s-2')).toBeUndefined();
    expect(known.get('s-1')?.state).toBe('a2');
    expect(known.size).toBe(2);
  });

  it('forgets a stream on request', () => {
    const known = new KnownStreams<string>(2);
    known.remember('s-1', { state: 'a', revision: 0n });
    known.forget('s-1');
    expect(known.get('s-1')).toBeUndefined();
  });
});
