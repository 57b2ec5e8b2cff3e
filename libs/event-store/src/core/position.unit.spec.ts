import { InvalidPositionError } from './errors';
import { START, comparePositions, decodePosition, encodePosition, maxPosition, toPosition } from './position';

describe('positions', () => {
  it('compare as text in numeric order, because every part has the same width', () => {
    const values = [0n, 9n, 10n, 99n, 100n, 2n ** 63n, 2n ** 64n - 1n];
    const positions = values.map((v) => encodePosition(v, 0n));
    const shuffled = [...positions].reverse().sort();
    expect(shuffled).toEqual(positions);
    expect(comparePositions(encodePosition(1n, 99n), encodePosition(2n, 0n))).toBe(-1);
    expect(comparePositions(encodePosition(2n, 1n), encodePosition(2n, 0n))).toBe(1);
    expect(comparePositions(encodePosition(7n), encodePosition(7n))).toBe(0);
  });

  it('START sorts before every position', () => {
    expect(comparePositions(START, encodePosition(0n))).toBe(-1);
    expect(maxPosition(undefined, START)).toBe(START);
    expect(maxPosition(encodePosition(3n), encodePosition(2n))).toBe(encodePosition(3n));
  });

  it("decode back to their parts and refuse another adapter's shape", () => {
    const position = encodePosition(123n, 456n);
    expect(decodePosition(position, 2)).toEqual([123n, 456n]);
    expect(() => decodePosition(position, 1)).toThrow(InvalidPositionError);
    expect(() => toPosition('12:34', 2)).toThrow(/invalid position '12:34'/);
    expect(toPosition(position, 2)).toBe(position);
  });

  it('reject parts outside the unsigned 64-bit range', () => {
    expect(() => encodePosition(-1n)).toThrow(InvalidPositionError);
    expect(() => encodePosition(2n ** 64n)).toThrow(InvalidPositionError);
  });
});
