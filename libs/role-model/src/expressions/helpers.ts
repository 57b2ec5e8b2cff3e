/**
 * Functions that role model expressions may call, in addition to filtrex's built-ins (abs, ceil,
 * floor, round, min, max, sqrt, log, exists, empty...). They are pure, never touch anything but
 * their arguments, and pass null through (a missing department stays missing instead of becoming
 * the text "null"), so they can be given to administrators' expressions safely.
 *
 * A helper signals misuse by throwing; filtrex hands the error back as the expression's result
 * and the evaluator turns it into a RuleEvaluationError naming the rule.
 */

type Scalar = string | number | boolean | null | undefined;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value;
}

function text(fn: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError(`${fn}() expects a text, got ${typeOf(value)}`);
}

function integer(fn: string, value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${fn}() expects a whole number as ${what}, got ${typeOf(value)}`);
  }
  return value;
}

/** Thrown by `fail()`: a failure the role model's author asked for, not a bug in the engine. */
export class RuleFailure extends Error {
  override readonly name = 'RuleFailure';
}

export const HELPER_FUNCTIONS = {
  lower: (value: Scalar) => text('lower', value)?.toLowerCase() ?? null,
  upper: (value: Scalar) => text('upper', value)?.toUpperCase() ?? null,
  trim: (value: Scalar) => text('trim', value)?.trim() ?? null,
  /** Drops diacritics ("José Müller" → "Jose Muller"): logins and mail local parts are usually ASCII. */
  ascii: (value: Scalar) =>
    text('ascii', value)
      ?.normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '') ?? null,
  /** Joins its arguments as text, skipping null ones (`+` fails on null, which is often not wanted). */
  concat: (...values: Scalar[]) => values.map((v) => text('concat', v) ?? '').join(''),
  /** `substr(text, start, length?)`, start counted from 0. */
  substr: (value: Scalar, start: unknown, length?: unknown) => {
    const s = text('substr', value);
    if (s === null) return null;
    const from = integer('substr', start, 'start');
    if (length === undefined) return s.substring(from);
    return s.substring(from, from + integer('substr', length, 'length'));
  },
  /** Replaces every occurrence of a literal text (not a pattern, so no regular-expression surprises). */
  replace: (value: Scalar, search: Scalar, replacement: Scalar) => {
    const s = text('replace', value);
    if (s === null) return null;
    return s.split(text('replace', search) ?? '').join(text('replace', replacement) ?? '');
  },
  len: (value: Scalar) => text('len', value)?.length ?? 0,
  str: (value: Scalar) => text('str', value),
  /** The first argument that is not null (SQL semantics: an empty text counts as a value). */
  coalesce: (...values: Scalar[]) => values.find((v) => v !== null && v !== undefined) ?? null,
  /**
   * Makes the rule fail on purpose with the given message, e.g. a placeholder for a rule not
   * written yet: `fail("no login rule for contractors yet")`. Samples and tests use it to show
   * state 7 Error.
   */
  fail: (message: Scalar) => {
    throw new RuleFailure(text('fail', message) ?? 'fail() called');
  },
} as const;

/** filtrex's own functions, listed so that unknown function names are caught when the file is loaded. */
export const BUILTIN_FUNCTIONS = [
  'abs',
  'ceil',
  'floor',
  'log',
  'log2',
  'log10',
  'max',
  'min',
  'round',
  'sqrt',
  'exists',
  'empty',
] as const;

export const KNOWN_FUNCTIONS: ReadonlySet<string> = new Set<string>([
  ...BUILTIN_FUNCTIONS,
  ...Object.keys(HELPER_FUNCTIONS),
]);

/** Names an expression reads as constants rather than identity attributes: filtrex has no literals for them. */
export const CONSTANTS = { true: true, false: false, null: null } as const;
