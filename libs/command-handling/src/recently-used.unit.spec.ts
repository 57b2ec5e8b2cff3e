import { RecentlyUsed } from './recently-used';

describe('RecentlyUsed', () => {
  it('lets the least recently set entry go beyond its capacity', () => {
    const recent = new RecentlyUsed<string, number>(2);
    recent.set('a', 1);
    recent.set('b', 2);
    recent.set('a', 3);
    recent.set('c', 4);
    expect(recent.peek('b')).toBeUndefined();
    expect(recent.peek('a')).toBe(3);
    expect(recent.peek('c')).toBe(4);
    expect(recent.size).toBe(2);
  });

  it('counts a get as a use, so the entry read stays and the other goes', () => {
    const recent = new RecentlyUsed<string, number>(2);
    recent.set('a', 1);
    recent.set('b', 2);
    expect(recent.get('a')).toBe(1);
    recent.set('c', 3);
    expect(recent.peek('a')).toBe(1);
    expect(recent.peek('b')).toBeUndefined();
  });

  it('does not count a peek as a use', () => {
    const recent = new RecentlyUsed<string, number>(2);
    recent.set('a', 1);
    recent.set('b', 2);
    expect(recent.peek('a')).toBe(1);
    recent.set('c', 3);
    expect(recent.peek('a')).toBeUndefined();
    expect(recent.peek('b')).toBe(2);
  });

  it('deletes one entry or all of them', () => {
    const recent = new RecentlyUsed<string, number>(3);
    recent.set('a', 1);
    recent.set('b', 2);
    recent.delete('a');
    expect(recent.peek('a')).toBeUndefined();
    expect(recent.size).toBe(1);
    recent.clear();
    expect(recent.size).toBe(0);
  });

  it('refuses a capacity that could hold nothing, naming it', () => {
    expect(() => new RecentlyUsed(0)).toThrow(/capacity must be a whole number of at least 1, got 0/);
    expect(() => new RecentlyUsed(1.5)).toThrow(/capacity/);
  });
});
