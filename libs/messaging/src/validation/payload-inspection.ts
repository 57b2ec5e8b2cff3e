import type { FieldViolation } from './nats-validation-pipe';

/** Nesting the engine's messages never need; deeper input is refused before anything walks it recursively. */
export const DEFAULT_MAX_JSON_DEPTH = 32;

/**
 * The first problem in a parsed JSON value that no validator downstream may see:
 * - nesting deeper than `maxDepth` (class-transformer and class-validator recurse, and a body
 *   nested thousands deep overflows their stack);
 * - a NUL character or a lone surrogate in a string or a key (PostgreSQL refuses both in text
 *   and jsonb, so they would surface as a database error instead of a 400).
 * The walk recurses at most `maxDepth` levels, so the inspection itself cannot overflow. It runs
 * on every request and message: a value's path (`body.items.3.name`) is built only for the
 * value at fault, never for the values that pass. `root` names the whole value (`body`, `query`).
 */
export function inspectJson(
  value: unknown,
  root: string,
  maxDepth = DEFAULT_MAX_JSON_DEPTH,
): FieldViolation | undefined {
  const fault = faultIn(value, 0, maxDepth);
  return fault && violationOf(fault, root, maxDepth);
}

/** Where a walk found a problem: the keys from the inspected value down to it, and what it is. */
interface Fault {
  keys: string[];
  rule: 'maxDepth' | 'noNulCharacter' | 'wellFormedUnicode';
  /** The fault is in the last key's name, not in its value. */
  inKey: boolean;
}

function faultIn(value: unknown, depth: number, maxDepth: number): Fault | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { keys: [], rule: 'noNulCharacter', inKey: false };
    if (LONE_SURROGATE.test(value)) return { keys: [], rule: 'wellFormedUnicode', inKey: false };
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= maxDepth) return { keys: [], rule: 'maxDepth', inKey: false };
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key.includes('\u0000')) return { keys: [key], rule: 'noNulCharacter', inKey: true };
    if (LONE_SURROGATE.test(key)) return { keys: [key], rule: 'wellFormedUnicode', inKey: true };
    const fault = faultIn((value as Record<string, unknown>)[key], depth + 1, maxDepth);
    if (fault) {
      fault.keys.unshift(key);
      return fault;
    }
  }
  return undefined;
}

function violationOf(fault: Fault, root: string, maxDepth: number): FieldViolation {
  const { keys, rule, inKey } = fault;
  // A key with a lone surrogate is named by its object's path: the key itself cannot be shown.
  const named = inKey && rule === 'wellFormedUnicode' ? keys.slice(0, -1) : keys;
  const path = [root, ...named].join('.');
  if (rule === 'maxDepth')
    return { field: path, rule, message: `${path} is nested more than ${maxDepth} levels deep` };
  if (rule === 'wellFormedUnicode') return surrogateViolation(path);
  return nulViolation(inKey ? path.split('\u0000').join('\\0') : path);
}

/** Half of a UTF-16 surrogate pair: JSON allows `"\ud800"`, but it is no character, and jsonb refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function surrogateViolation(field: string): FieldViolation {
  return {
    field,
    rule: 'wellFormedUnicode',
    message: `${field} must be well-formed Unicode (it has a lone surrogate)`,
  };
}

function nulViolation(field: string): FieldViolation {
  return { field, rule: 'noNulCharacter', message: `${field} must not contain a NUL character (\\u0000)` };
}
