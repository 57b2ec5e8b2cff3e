import {
  categoryOf,
  decodeAnnouncement,
  encodeAnnouncement,
  MAX_ANNOUNCEMENT_LENGTH,
  mayMatch,
  PendingAnnouncement,
} from './subscription-wake-ups';

describe('what a wake-up announces', () => {
  const lifecycle = {
    streamNamePrefixes: ['identity-'],
    eventTypes: ['IdentityRegistered', 'IdentityUpdated'],
  };

  it('takes a stream category up to its first dash', () => {
    expect(categoryOf('assignment-42-x')).toBe('assignment-');
    expect(categoryOf('plain')).toBe('plain');
  });

  it('unions the commits owed, and starts afresh after each wake-up', () => {
    const pending = new PendingAnnouncement();
    pending.add([
      { streamName: 'identity-1', events: [{ type: 'IdentityUpdated' }, { type: 'IdentityUpdated' }] },
    ]);
    pending.add([{ streamName: 'identity-2', events: [{ type: 'IdentityRegistered' }] }]);
    expect(decodeAnnouncement(pending.take())).toEqual({
      types: ['IdentityUpdated', 'IdentityRegistered'],
      categories: ['identity-'],
    });
    pending.add([{ streamName: 'identity-3', events: [{ type: 'X' }] }]);
    pending.add(undefined);
    expect(pending.take()).toBe('');
    expect(decodeAnnouncement(pending.take())).toEqual({ types: [], categories: [] });
  });

  it('announces "anything" for a payload too long, an empty one or a foreign one', () => {
    const long = Array.from({ length: MAX_ANNOUNCEMENT_LENGTH / 10 }, (_, i) => `SomeEventType${i}`);
    expect(encodeAnnouncement({ types: long, categories: [] })).toBe('');
    expect(decodeAnnouncement('')).toBeUndefined();
    expect(decodeAnnouncement('not json')).toBeUndefined();
    expect(decodeAnnouncement('{"t":[1],"c":[]}')).toBeUndefined();
    expect(decodeAnnouncement('42')).toBeUndefined();
  });

  it('lets a subscription pass over commits its filter drops, and only those', () => {
    const orders = { types: ['AssignmentRequested'], categories: ['assignment-'] };
    expect(mayMatch(lifecycle, orders)).toBe(false);
    expect(mayMatch(lifecycle, { types: ['IdentityUpdated'], categories: ['identity-'] })).toBe(true);
    // The union is judged field by field: on the safe side when types and categories are mixed.
    expect(
      mayMatch(lifecycle, { types: ['IdentityUpdated'], categories: ['assignment-', 'identity-'] }),
    ).toBe(true);
    expect(mayMatch(lifecycle, { types: ['IdentityUpdated'], categories: ['assignment-'] })).toBe(false);
    expect(mayMatch(lifecycle, undefined)).toBe(true);
    expect(mayMatch(undefined, orders)).toBe(true);
    expect(mayMatch({ eventTypePrefixes: ['Assignment'] }, orders)).toBe(true);
    expect(mayMatch({ eventTypePrefixes: ['Identity'] }, orders)).toBe(false);
  });

  it('matches a name prefix and a category that are one a prefix of the other', () => {
    const announced = (category: string) => ({ types: ['T'], categories: [category] });
    expect(mayMatch({ streamNamePrefixes: ['assign'] }, announced('assignment-'))).toBe(true);
    expect(mayMatch({ streamNamePrefixes: ['assignment-7'] }, announced('assignment-'))).toBe(true);
    expect(mayMatch({ streamNamePrefixes: ['foo-'] }, announced('foo'))).toBe(true);
    expect(mayMatch({ streamNamePrefixes: ['identity-'] }, announced('assignment-'))).toBe(false);
  });
});
