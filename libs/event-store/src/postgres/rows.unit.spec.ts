import {
  WrongExpectedVersionError,
  DuplicateEventIdsError,
  EventValidationError,
  InvalidPositionError,
  encodePosition,
  type Position,
} from '../core';
import { fromPgPosition, mapAppendError, toPgPosition } from './rows';

describe('PostgreSQL row mapping', () => {
  it('pads positions exactly as encodePosition does, and reads them back', () => {
    for (const [tx, gp] of [
      ['0', '0'],
      ['742', '12'],
      ['18446744073709551615', '9223372036854775807'],
    ]) {
      const position = toPgPosition(tx, gp);
      expect(position).toBe(encodePosition(BigInt(tx), BigInt(gp)));
      expect(fromPgPosition(position)).toEqual({ transactionId: tx, globalPosition: gp });
    }
  });

  it('refuses a well-formed position beyond what the columns hold, before it reaches PostgreSQL', () => {
    expect(() => fromPgPosition(encodePosition(0n, 2n ** 63n))).toThrow(InvalidPositionError);
    expect(() => fromPgPosition(`${'9'.repeat(20)}:${'0'.repeat(20)}` as Position)).toThrow(
      InvalidPositionError,
    );
  });

  it('maps the SQLSTATEs of the append function to port errors', () => {
    const context = { streamName: 's', expectedRevision: 'no_stream' as const, ids: ['a', 'b'] };
    expect(() => mapAppendError({ code: 'ES409', detail: '4' }, context)).toThrow(
      expect.objectContaining({ constructor: WrongExpectedVersionError, actualRevision: 4n }),
    );
    expect(() => mapAppendError({ code: 'ES422', message: 'partial', detail: '["b"]' }, context)).toThrow(
      expect.objectContaining({ constructor: DuplicateEventIdsError, duplicateIds: ['b'], newIds: ['a'] }),
    );
    expect(() => mapAppendError({ code: '22P05', message: 'unsupported Unicode escape' }, context)).toThrow(
      EventValidationError,
    );
    const unknown = { code: '57P01' };
    expect(() => mapAppendError(unknown, context)).toThrow(expect.objectContaining(unknown));
  });
});
