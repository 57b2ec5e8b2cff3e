import { randomUUID } from 'node:crypto';
import { EventValidationError } from './errors';
import { checkFilter, collectPage, matchesFilter } from './filter';
import { encodePosition } from './position';
import { prepareAppend, validateDeleteExpectedRevision, validateExpectedRevision } from './validation';

const event = (overrides: object = {}) => ({
  id: randomUUID(),
  type: 'Created',
  data: { a: 1 },
  ...overrides,
});

function fieldOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return (error as EventValidationError).field;
  }
  throw new Error('no validation error');
}

describe('append validation', () => {
  it('serialises data and metadata once and lower-cases ids', () => {
    const id = randomUUID().toUpperCase();
    const { events } = prepareAppend('s', [event({ id, metadata: { by: 'x' } })], undefined);
    expect(events[0]).toMatchObject({
      id: id.toLowerCase(),
      dataJson: '{"a":1}',
      metadataJson: '{"by":"x"}',
    });
  });

  it.each([
    ['$system', [event()], 'streamName'],
    ['s', [event({ type: '$metadata' })], 'events[0].type'],
    ['s', [event(), event({ id: 42 })], 'events[1].id'],
    ['s', [event({ metadata: ['not', 'an', 'object'] })], 'events[0].metadata'],
    ['s', [event({ data: undefined })], 'events[0].data'],
    ['s', 'not an array', 'events'],
  ])('rejects stream %p with events %p at field %p', (stream, events, field) => {
    expect(fieldOf(() => prepareAppend(stream, events, 'any'))).toBe(field);
  });

  it('accepts the four expected-revision forms only', () => {
    expect(validateExpectedRevision(undefined)).toBe('any');
    expect(validateExpectedRevision(0n)).toBe(0n);
    expect(fieldOf(() => validateExpectedRevision(-1n))).toBe('expectedRevision');
    expect(fieldOf(() => validateExpectedRevision('exists'))).toBe('expectedRevision');
    expect(validateDeleteExpectedRevision(undefined)).toBe('any');
    expect(fieldOf(() => validateDeleteExpectedRevision('no_stream'))).toBe('options.expectedRevision');
  });
});

describe('filters', () => {
  it('require every given criterion; event types and type prefixes are alternatives', () => {
    const filter = { streamNamePrefixes: ['user-'], eventTypes: ['Created'], eventTypePrefixes: ['Role'] };
    expect(matchesFilter(filter, { streamName: 'user-1', type: 'Created' })).toBe(true);
    expect(matchesFilter(filter, { streamName: 'user-1', type: 'RoleAdded' })).toBe(true);
    expect(matchesFilter(filter, { streamName: 'user-1', type: 'Deleted' })).toBe(false);
    expect(matchesFilter(filter, { streamName: 'order-1', type: 'Created' })).toBe(false);
    expect(matchesFilter(undefined, { streamName: 'x', type: 'y' })).toBe(true);
  });

  it('treat an empty filter as none and reject empty lists', () => {
    expect(checkFilter({})).toBeUndefined();
    expect(fieldOf(() => checkFilter({ eventTypes: [] }))).toBe('filter.eventTypes');
  });

  it('pages stop at maxCount but report how far the scan got otherwise', () => {
    const rows = [1n, 2n, 3n, 4n].map((n) => ({ position: encodePosition(n), keep: n % 2n === 0n }));
    const toEvent = (row: (typeof rows)[number]) => ({ position: row.position }) as never;
    const at = (row: (typeof rows)[number]) => row.position;
    const all = collectPage(rows, 10, 10, (r) => r.keep, toEvent, at);
    expect(all).toMatchObject({ lastPosition: encodePosition(4n), isEnd: true });
    expect(all.events).toHaveLength(2);
    const first = collectPage(rows, 10, 1, (r) => r.keep, toEvent, at);
    expect(first).toMatchObject({ lastPosition: encodePosition(2n), isEnd: false });
    const skipped = collectPage(rows.slice(0, 1), 1, 5, (r) => r.keep, toEvent, at);
    expect(skipped).toMatchObject({ events: [], lastPosition: encodePosition(1n), isEnd: false });
  });

  it('asks for a row position only where the page ends', () => {
    const rows = [1n, 2n, 3n, 4n, 5n].map((n) => ({ n, keep: n % 2n === 0n }));
    const asked: bigint[] = [];
    const positionOf = (row: (typeof rows)[number]) => {
      asked.push(row.n);
      return encodePosition(row.n);
    };
    const toEvent = (row: (typeof rows)[number]) => ({ position: encodePosition(row.n) }) as never;
    expect(collectPage(rows, 10, 10, (r) => r.keep, toEvent, positionOf)).toMatchObject({
      lastPosition: encodePosition(5n),
      isEnd: true,
    });
    expect(collectPage(rows, 10, 1, (r) => r.keep, toEvent, positionOf)).toMatchObject({
      lastPosition: encodePosition(2n),
      isEnd: false,
    });
    expect(collectPage([], 10, 1, (r) => r.keep, toEvent, positionOf)).toMatchObject({
      lastPosition: undefined,
    });
    expect(asked).toEqual([5n, 2n]);
  });
});
