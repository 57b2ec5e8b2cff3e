import { randomInt } from 'node:crypto';

const CLASSES = [
  'ABCDEFGHJKLMNPQRSTUVWXYZ',
  'abcdefghijkmnopqrstuvwxyz',
  '23456789',
  '!#%+-.:=?@_~',
] as const;

/**
 * A random password of `length` characters from a CSPRNG, with at least one character of each
 * class (upper, lower, digit, symbol) when it is long enough, which domain complexity rules
 * (AD's "three of four classes") ask for. Look-alikes (0/O, 1/l/I) are left out: people type
 * it from a message. Symbols are ones no directory or shell quoting treats specially.
 */
export function generatePassword(length: number): string {
  if (!Number.isInteger(length) || length < 1) throw new RangeError('length must be a positive integer');
  const all = CLASSES.join('');
  const chars = CLASSES.slice(0, Math.min(length, CLASSES.length)).map((set) => set[randomInt(set.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
