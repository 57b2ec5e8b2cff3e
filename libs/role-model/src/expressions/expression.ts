import { compileExpression } from 'filtrex';
import type { IdentityAttributes } from '../types';
import { CONSTANTS, HELPER_FUNCTIONS, KNOWN_FUNCTIONS } from './helpers';

/**
 * Role model expressions, compiled with filtrex: a small language with no access to anything but
 * the identity's attributes and the helper functions (no `eval`, no prototype walking), so an
 * administrator's rule cannot reach into the engine.
 *
 * Everything that can be checked without an identity is checked when the file is loaded: syntax,
 * and the names of the functions called (filtrex itself only notices an unknown function when the
 * expression runs). What remains for run time (a missing custom attribute, a type mismatch,
 * `fail()`) comes back from `evaluate` as a value, never as an exception: filtrex returns runtime
 * errors instead of throwing them, and the evaluator decides what they mean.
 */

/** Attributes that rules may always use; null when the identity lacks them. */
export const WELL_KNOWN_ATTRIBUTES = ['login', 'firstName', 'lastName', 'email', 'department'] as const;

export type ExpressionResult = { ok: true; value: unknown } | { ok: false; reason: string; error: Error };

export interface CompiledExpression {
  readonly source: string;
  evaluate(identity: IdentityAttributes): ExpressionResult;
  /**
   * The same on the variables {@link expressionData} made of the identity: made once, they serve
   * every expression of an evaluation (an entitlement's rules read the same identity).
   */
  evaluateData(data: ExpressionData): ExpressionResult;
}

/** The variables an expression reads (see {@link expressionData}); expressions never change them. */
export type ExpressionData = Readonly<Record<string, unknown>>;

export type CompileResult = { ok: true; expression: CompiledExpression } | { ok: false; rule: string };

// Mirrors filtrex's lexer closely enough to find function calls: strings and quoted symbols are
// skipped whole so that `"lower(x)"` inside a text is not mistaken for a call.
const TOKENS: ReadonlyArray<[RegExp, 'skip' | 'quoted' | 'symbol']> = [
  [/^\s+/, 'skip'],
  [/^"(?:\\"|\\\\|[^"\\])*"/, 'skip'],
  [/^'(?:\\'|\\\\|[^'\\])*'/, 'quoted'],
  [/^(?:not\s+in|and|or|not|in|of|if|then|else|mod)(?=\W)/, 'skip'],
  [/^[0-9]+(?:\.[0-9]+)?/, 'skip'],
  [/^[a-zA-Z$_][.a-zA-Z0-9$_]*/, 'symbol'],
  [/^[\s\S]/, 'skip'],
];

/** The names in an expression (quoted ones unquoted), each with whether it is called. */
function symbols(source: string): Array<{ name: string; called: boolean }> {
  const found: Array<{ name: string; called: boolean }> = [];
  let rest = source;
  while (rest.length > 0) {
    for (const [pattern, kind] of TOKENS) {
      const match = pattern.exec(rest);
      if (!match) continue;
      rest = rest.slice(match[0].length);
      if (kind !== 'skip') {
        const name = kind === 'quoted' ? match[0].slice(1, -1).replace(/\\(['\\])/g, '$1') : match[0];
        found.push({ name, called: /^\s*\(/.test(rest) });
      }
      break;
    }
  }
  return found;
}

/** Names of the functions an expression calls (it must already have compiled). */
export function calledFunctions(source: string): string[] {
  return symbols(source)
    .filter((s) => s.called)
    .map((s) => s.name);
}

/**
 * Names of the attributes an expression reads (symbols that are not calls or constants), in
 * order of first use: what an explanation lists as the inputs of a computed value.
 */
export function referencedAttributes(source: string): string[] {
  const names = symbols(source)
    .filter((s) => !s.called && !(s.name in CONSTANTS))
    .map((s) => s.name.split('.')[0]);
  return [...new Set(names)];
}

/** Turns filtrex's multi-line parser messages (text, caret line, expectations) into one line. */
function describeSyntaxError(message: string): string {
  const lines = message.split('\n');
  const head = (lines[0] ?? 'syntax error').replace(/[:.]\s*$/, '').replace(/ on line 1\b/, '');
  const caret = (lines[2] ?? '').indexOf('^');
  const near = caret >= 0 ? (lines[1] ?? '').slice(caret).trim() : '';
  const expecting = lines.slice(3).join(' ').trim();
  const at = near ? ` at '${near}'` : ' at the end of the expression';
  return `${head}${at}${expecting ? `: ${expecting.charAt(0).toLowerCase()}${expecting.slice(1)}` : ''}`;
}

/** Also true for errors from another realm (a VM context), where `instanceof Error` is false. */
function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

function asError(value: unknown): Error {
  return isError(value) ? value : new Error(String(value));
}

/** Words for a runtime error, with filtrex's "Property “x” does not exist" said in role model terms. */
function describeRuntimeError(error: Error): string {
  const property = (error as Error & { I18N_STRING?: string; propertyName?: string }).propertyName;
  if ((error as { I18N_STRING?: string }).I18N_STRING === 'UNKNOWN_PROPERTY' && property !== undefined) {
    return `the identity has no attribute '${property}'`;
  }
  return error.message;
}

/** The variables an expression sees: the identity's own attributes, undefined made null. */
export function expressionData(identity: IdentityAttributes): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const name of WELL_KNOWN_ATTRIBUTES) data[name] = null;
  for (const [name, value] of Object.entries(identity)) data[name] = value === undefined ? null : value;
  return data;
}

/** Compiles one expression; a failure is returned as the rule it breaks, for the validation report. */
export function compileRuleExpression(source: string): CompileResult {
  if (source.trim() === '') return { ok: false, rule: 'must not be empty' };
  let fn: (data: unknown) => unknown;
  try {
    fn = compileExpression(source, { extraFunctions: HELPER_FUNCTIONS, constants: CONSTANTS });
  } catch (error) {
    return { ok: false, rule: `does not compile: ${describeSyntaxError(asError(error).message)}` };
  }
  const unknown = [...new Set(calledFunctions(source).filter((name) => !KNOWN_FUNCTIONS.has(name)))];
  if (unknown.length > 0) {
    const list = unknown.map((n) => `'${n}'`).join(', ');
    return {
      ok: false,
      rule: `does not compile: unknown function ${list} (available: ${[...KNOWN_FUNCTIONS].sort().join(', ')})`,
    };
  }
  const evaluateData = (data: ExpressionData): ExpressionResult => {
    let value: unknown;
    try {
      value = fn(data);
    } catch (error) {
      // filtrex promises not to throw at run time; should that ever change, the rule fails cleanly.
      value = asError(error);
    }
    if (isError(value)) return { ok: false, reason: describeRuntimeError(value), error: value };
    return { ok: true, value };
  };
  return {
    ok: true,
    expression: { source, evaluate: (identity) => evaluateData(expressionData(identity)), evaluateData },
  };
}
