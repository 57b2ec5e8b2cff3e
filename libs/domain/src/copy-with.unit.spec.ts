import fc from 'fast-check';
import { copyWith } from './copy-with';
import { eventData, withoutUndefined } from './json';

/** Keys, values and their order, as JSON would keep them, and undefined values as such. */
function shape(value: object): [string, unknown][] {
  return Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]]);
}

const record = fc.dictionary(
  fc.constantFrom('a', 'b', 'c', 'orderId', 'at', 'constructor', 'toString'),
  fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constant(undefined)),
);

describe('copyWith and eventData: the spread, without its slow path', () => {
  it('copyWith gives what { ...base, ...changes } gives: the same keys in the same order, the same values', () => {
    fc.assert(
      fc.property(record, record, (base, changes) => {
        const copy = copyWith(base, changes);
        expect(shape(copy)).toEqual(shape({ ...base, ...changes }));
        expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
        expect(copy).not.toBe(base);
      }),
    );
  });

  it('eventData gives what withoutUndefined({ ...head, ...rest }) gives, a value the rest makes undefined dropped', () => {
    fc.assert(
      fc.property(record, record, (head, rest) => {
        expect(shape(eventData(head, rest))).toEqual(shape(withoutUndefined({ ...head, ...rest })));
      }),
    );
    expect(eventData({ a: 1, b: 2 }, { a: undefined, c: 3 })).toEqual({ b: 2, c: 3 });
    expect(Object.keys(eventData({ a: 1, b: 2 }, { c: 3, a: 4 }))).toEqual(['a', 'b', 'c']);
  });

  it('a parsed __proto__ key stays a property of the copy and never becomes its prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
    for (const copy of [
      copyWith(parsed, { b: 2 }),
      copyWith({ b: 2 }, parsed),
      eventData(parsed, { b: 2 }),
    ]) {
      expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
      expect(Object.prototype.hasOwnProperty.call(copy, '__proto__')).toBe(true);
      expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    }
  });
});
