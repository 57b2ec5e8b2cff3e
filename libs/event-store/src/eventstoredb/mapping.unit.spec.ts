import {
  START as ESDB_START,
  StreamDeletedError as EsdbStreamDeletedError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  comparePositions,
} from '../core';
import { isSystemEvent, mapEsdbError, toEsdbPosition, toPortPosition, toServerFilter } from './mapping';

// The adapter cannot be run against a server here; these checks cover its translations.
describe('EventStoreDB mapping', () => {
  it('keeps commit/prepare order in the text of positions and reads them back', () => {
    const a = toPortPosition({ commit: 99n, prepare: 99n });
    const b = toPortPosition({ commit: 100n, prepare: 50n });
    expect(comparePositions(a, b)).toBe(-1);
    expect(toEsdbPosition(b)).toEqual({ commit: 100n, prepare: 50n });
    expect(toEsdbPosition(undefined)).toBe(ESDB_START);
  });

  it('maps the client errors to the port errors', () => {
    const wrong = new EsdbWrongExpectedVersionError(undefined, {
      streamName: 's',
      expected: 3n,
      current: 5n,
    });
    expect(() => mapEsdbError(wrong, { streamName: 's', expectedRevision: 3n })).toThrow(
      expect.objectContaining({
        constructor: WrongExpectedVersionError,
        expectedRevision: 3n,
        actualRevision: 5n,
      }),
    );
    expect(() => mapEsdbError(new EsdbStreamNotFoundError(undefined, 's'), { streamName: 's' })).toThrow(
      StreamNotFoundError,
    );
    expect(() => mapEsdbError(new EsdbStreamDeletedError(undefined, 's'), { streamName: 's' })).toThrow(
      StreamDeletedError,
    );
    const other = new Error('unavailable');
    expect(() => mapEsdbError(other, { streamName: 's' })).toThrow(other);
  });

  it('builds server-side filters that exclude system events', () => {
    const noop = () => undefined;
    expect(toServerFilter(undefined, noop)).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
    expect(toServerFilter({ streamNamePrefixes: ['user-'] }, noop)).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['user-'],
    });
    const byType = toServerFilter({ eventTypes: ['A.b'], eventTypePrefixes: ['Role'] }, noop);
    expect(byType).toMatchObject({ filterOn: 'eventType' });
    const regex = new RegExp((byType as { regex: string }).regex);
    expect(['A.b', 'RoleAdded'].every((t) => regex.test(t))).toBe(true);
    expect(['AXb', 'A.bc', 'XRole'].some((t) => regex.test(t))).toBe(false);
    expect(isSystemEvent({ type: '$metadata', streamId: '$$s' })).toBe(true);
  });
});
