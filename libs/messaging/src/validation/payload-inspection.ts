import type { FieldViolation } from './nats-validation-pipe';

/** Nesting the engine's messages never need; deeper input is refused before anything walks it recursively. */
export const DEFAULT_MAX_JSON_DEPTH = 32;

/**
 * The first problem in a parsed JSON value that no validator downstream may see:
 * - nesting deeper than `maxDepth` (class-transformer and class-validator recurse, and a body
 *   nested thousands deep overflows their stack);
 * - a NUL character or a lone surrogate in a string or a key (PostgreSQL refuses both in text
 *   and jsonb, so they would surface as a database error instead of a 400).
 * Iterative, so the inspection itself cannot overflow. `root` names the whole value (`body`, `query`).
 */
export function inspectJson(
  value: unknown,
  root: string,
  maxDepth = DEFAULT_MAX_JSON_DEPTH,
): FieldViolation | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return nulViolation(path);
      if (LONE_SURROGATE.test(current)) return surrogateViolation(path);
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) {
      return {
        field: path,
        rule: 'maxDepth',
        message: `${path} is nested more than ${maxDepth} levels deep`,
      };
    }
    for (const [key, item] of Object.entries(current)) {
      const child = `${path}.${key}`;
      if (key.includes('\u0000')) return nulViolation(`${path}.${key.split('\u0000').join('\\0')}`);
      if (LONE_SURROGATE.test(key)) return surrogateViolation(path);
      stack.push({ value: item, path: child, depth: depth + 1 });
    }
  }
  return undefined;
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
